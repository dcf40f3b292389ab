import Foundation
import VaporCSQLite

/// Reads which tables an SQLite file holds, opening it read-only and setting nothing: SimGate's
/// own connections switch a file to WAL as they open it, which rewrites the header of a file
/// that may belong to another application.
public enum SQLiteSchemaProbe {
    /// What the file at `path` holds; throws when it cannot be read as SQLite.
    ///
    /// A file with no log beside it (`-wal`) is opened as immutable: read-only alone, SQLite
    /// made a WAL-mode file's `-wal` and `-shm` to read it, and left them there. With a log
    /// (a server has the file open, or its last connection did not close cleanly) it is read
    /// through the log, which holds what was committed last, waiting out a writer's lock.
    public static func schema(ofFileAt path: String) throws -> Migrator.ExistingSchema {
        var raw: OpaquePointer?
        let logged = FileManager.default.fileExists(atPath: path + "-wal")
        let name = logged ? path : "file:" + (path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path) + "?immutable=1"
        let flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE | (logged ? 0 : SQLITE_OPEN_URI)
        let opened = sqlite_nio_sqlite3_open_v2(name, &raw, flags, nil)
        defer { if let raw { sqlite_nio_sqlite3_close_v2(raw) } }
        guard opened == SQLITE_OK, let raw else {
            throw SQLiteFailure(code: opened, message: "cannot open \(path)")
        }
        sqlite_nio_sqlite3_busy_timeout(raw, 10_000)
        var statement: OpaquePointer?
        let query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        let prepared = sqlite_nio_sqlite3_prepare_v2(raw, query, -1, &statement, nil)
        defer { if let statement { sqlite_nio_sqlite3_finalize(statement) } }
        guard prepared == SQLITE_OK, let statement else {
            throw SQLiteFailure(code: prepared, message: String(cString: sqlite_nio_sqlite3_errmsg(raw)))
        }
        var tables: [String] = []
        while true {
            let stepped = sqlite_nio_sqlite3_step(statement)
            if stepped == SQLITE_DONE { break }
            guard stepped == SQLITE_ROW else { throw SQLiteFailure(code: stepped, message: String(cString: sqlite_nio_sqlite3_errmsg(raw))) }
            if let text = sqlite_nio_sqlite3_column_text(statement, 0) { tables.append(String(cString: text)) }
        }
        return Migrator.ExistingSchema(tables: tables)
    }
}
