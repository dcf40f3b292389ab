import Foundation
import Logging
import NIOCore
import SimGateExecutors
import SQLiteNIO
import Synchronization
// The SQLite library SQLiteNIO builds, called here directly: a connection calls it in place on its own thread (ThreadExecutor).
import VaporCSQLite

/// One open SQLite connection, called in place on whatever thread runs the unit of work (its
/// ``thread``, by preference), with its prepared statements kept for reuse.
///
/// Every call into the connection is made under ``state``'s lock, and the pool hands each
/// connection to one unit of work at a time, so SQLite's own lock around each call is left
/// out (multi-thread mode, `SQLITE_OPEN_NOMUTEX`): taken and released for every bind, step
/// and column read, it was about 2.5% of an accounting update's CPU.
final class SQLiteHandle: Sendable {
    /// The thread this connection's units of work run on.
    let thread: ThreadExecutor
    /// Told of every commit's log length (see ``SQLiteCheckpointer``); kept alive here while
    /// SQLite may call it.
    private let checkpointer: SQLiteCheckpointer?
    private let state: Mutex<State>
    /// Transactions this connection has committed or rolled back (SQLite's commit and
    /// rollback hooks count them), so that a caller can tell that a transaction it began is
    /// still the one open.
    private let transactionEnds = Atomic<Int>(0)

    private struct State: @unchecked Sendable {
        var raw: OpaquePointer?
        /// Prepared statements by SQL text. SimGate builds its SQL from a few hundred shapes
        /// (a multi-row insert's shape includes its row count), so the cache stays small.
        var statements: [String: OpaquePointer] = [:]
        /// The last few statements too large for `statements`, least recently used first.
        var largeStatements: [(sql: String, statement: OpaquePointer)] = []
        /// Each kept statement's result column names, with its re-plan count when they were
        /// read: a statement SQLite planned again (after a schema change) may name others.
        var columnNames: [OpaquePointer: (names: SQLiteColumnNames, replans: Int32)] = [:]
        /// The bytes of the text and blobs a run binds, which SQLite reads in place (see
        /// ``BindArena``).
        var arena = BindArena()
    }

    /// Statements kept per connection before the least useful are dropped (all of them, simply).
    private static let statementLimit = 512
    /// Binds a statement may have and still be kept for reuse.
    private static let largestKeptStatement = 256
    /// Larger statements kept per connection, the most recently used ones. One API import of
    /// 1,000 SIMs runs five (lookups of ICCIDs and IMSIs, inserts of SIMs, events and periods)
    /// in turn, so fewer than that kept none of them from one request to the next; an
    /// accounting batch runs up to four more (64 rows of usage records, open and stopped
    /// sessions, and totals, see `BatchShape`), which an import running meanwhile must not push
    /// out.
    private static let largeStatementLimit = 16

    private init(raw: OpaquePointer, thread: ThreadExecutor, checkpointer: SQLiteCheckpointer?) {
        self.thread = thread
        self.checkpointer = checkpointer
        self.state = Mutex(State(raw: raw))
    }

    /// Opens (creating if need be) the file at `path`, on a thread named `name`, and sets
    /// SimGate's pragmas. With a `checkpointer`, that copies the log into the file instead of
    /// this connection's commits (see ``SQLiteCheckpointer``); without one, SQLite's own
    /// threshold stays.
    static func open(path: String, name: String, checkpointer: SQLiteCheckpointer? = nil) async throws -> SQLiteHandle {
        let thread = ThreadExecutor(name: name)
        do {
            return try await withTaskExecutorPreference(thread) {
                var raw: OpaquePointer?
                let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
                let opened = sqlite_nio_sqlite3_open_v2(path, &raw, flags, nil)
                guard opened == SQLITE_OK, let raw else {
                    let message = raw.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "out of memory"
                    if let raw { sqlite_nio_sqlite3_close_v2(raw) }
                    throw SQLiteFailure(code: opened, message: "cannot open \(path): \(message)")
                }
                let handle = SQLiteHandle(raw: raw, thread: thread, checkpointer: checkpointer)
                do {
                    // The busy timeout first: it covers other processes (the CLI, another
                    // instance) holding the file, even while this one switches it to WAL. WAL
                    // lets readers run beside the writer; NORMAL sync is durable across process
                    // crashes in WAL mode. With a checkpointer, the log is copied into the file
                    // on its connection (see ``SQLiteCheckpointer``); without one, every 1,000
                    // pages by the commit that crosses them, SQLite's default. A larger default
                    // sped up imports by a few percent, but its longer copies held every queued
                    // write: suspend/activate p99 went from 30-50 ms to 0.1-1.5 s.
                    // Each unit of work in a group commit but the first runs in a savepoint,
                    // whose journal of the pages it first changes is a temporary file by
                    // default: written on every write, it was 15% of the writer's time. In
                    // memory it costs at most the pages one unit of work changes.
                    // The page cache may grow to 16 MiB a connection, rather than SQLite's
                    // 2 MiB: an accounting flood touches the pages of every SIM's session and
                    // totals, and with the smaller cache the writer read pages back from the
                    // file (through the kernel) on every batch. A connection's cache grows only
                    // as far as the pages it has read.
                    try handle.run("PRAGMA busy_timeout=10000", []) { _ in }
                    try handle.switchToWAL()
                    for pragma in ["PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON", "PRAGMA temp_store=MEMORY", "PRAGMA cache_size=-16384"] {
                        try handle.run(pragma, []) { _ in }
                    }
                    let context = Unmanaged.passUnretained(handle).toOpaque()
                    sqlite_nio_sqlite3_commit_hook(raw, SQLiteHandle.committing, context)
                    sqlite_nio_sqlite3_rollback_hook(raw, SQLiteHandle.rolledBack, context)
                    // Replaces SQLite's own copying at 1,000 pages, which is a hook too.
                    if let checkpointer {
                        sqlite_nio_sqlite3_wal_hook(raw, SQLiteHandle.logGrew, Unmanaged.passUnretained(checkpointer).toOpaque())
                    }
                } catch {
                    handle.close()
                    throw error
                }
                return handle
            }
        } catch {
            thread.stop()
            throw error
        }
    }

    /// Puts the file in WAL mode. Two connections switching one new file at the same moment
    /// can each hold the lock the other waits for; SQLite then answers one of them "database
    /// is locked" at once, without its busy timeout (instances started together, CI's
    /// `concurrentMigrations`). The other finishes the switch within moments, so the refused
    /// one tries again, every 5 ms for at most 2 s, and then finds the file in WAL mode.
    private func switchToWAL() throws {
        var attempts = 0
        while true {
            do {
                try run("PRAGMA journal_mode=WAL", []) { _ in }
                return
            } catch let failure as SQLiteFailure where failure.code & 0xFF == SQLITE_BUSY && attempts < 400 {
                attempts += 1
                usleep(5_000)
            }
        }
    }

    /// Called by SQLite as a transaction commits; 0 lets it.
    private static let committing: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { context in
        if let context { Unmanaged<SQLiteHandle>.fromOpaque(context).takeUnretainedValue().transactionEnds.add(1, ordering: .relaxed) }
        return 0
    }

    /// Called by SQLite as a transaction rolls back (not on a rollback to a savepoint).
    private static let rolledBack: @convention(c) (UnsafeMutableRawPointer?) -> Void = { context in
        if let context { Unmanaged<SQLiteHandle>.fromOpaque(context).takeUnretainedValue().transactionEnds.add(1, ordering: .relaxed) }
    }

    /// How many transactions this connection has ended so far (committed or rolled back).
    var transactionsEnded: Int { transactionEnds.load(ordering: .relaxed) }

    /// Whether the transaction open now is the one begun when ``transactionsEnded`` was `ended`:
    /// one is open (SQLite is not in autocommit mode) and none has ended since.
    func isStillIn(transactionBegunAfter ended: Int) -> Bool {
        let open = state.withLock { state in state.raw.map { sqlite_nio_sqlite3_get_autocommit($0) == 0 } ?? false }
        return open && transactionsEnded == ended
    }

    /// Called by SQLite after each commit of a connection with a checkpointer, with the log's
    /// length in pages; copies the log in place when the checkpointer says it is at its limit.
    private static let logGrew: @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32 = { context, raw, database, pages in
        guard let context else { return SQLITE_OK }
        let checkpointer = Unmanaged<SQLiteCheckpointer>.fromOpaque(context).takeUnretainedValue()
        guard checkpointer.logGrew(to: Int(pages)) else { return SQLITE_OK }
        var log: Int32 = -1
        var copied: Int32 = -1
        // What SQLite's own threshold would run here. A failure is not this commit's: it has
        // committed, and the next commit at the limit tries again.
        if sqlite_nio_sqlite3_wal_checkpoint_v2(raw, database, SQLITE_CHECKPOINT_PASSIVE, &log, &copied) == SQLITE_OK {
            checkpointer.copiedInline(copied: Int(max(copied, 0)))
        }
        return SQLITE_OK
    }

    /// Copies what it can of the log into the database file without waiting for any lock
    /// (a passive checkpoint); returns SQLite's result code and how many of the log's pages,
    /// from its beginning, are now copied.
    func checkpointPassively() -> (code: Int32, copied: Int) {
        state.withLock { state in
            guard let raw = state.raw else { return (SQLITE_MISUSE, 0) }
            var log: Int32 = -1
            var copied: Int32 = -1
            let code = sqlite_nio_sqlite3_wal_checkpoint_v2(raw, nil, SQLITE_CHECKPOINT_PASSIVE, &log, &copied)
            return (code, Int(max(copied, 0)))
        }
    }

    /// Runs one statement with `binds`, handing each row's values to `onRow`.
    func run(_ sql: String, _ binds: [SQLiteData], _ onRow: (SQLiteResultRow) throws -> Void) throws {
        try state.withLock { state in
            guard let raw = state.raw else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "the connection is closed") }
            // Statements with many binds are mostly one-offs (a lookup of 10,000 ICCIDs): kept
            // among the small ones, each would hold its memory until the cache is cleared. The
            // last few are kept apart, which serves a large import's repeated batch inserts
            // (parsing them afresh was 7% of it).
            let kept = binds.count <= Self.largestKeptStatement
            let statement = try kept ? Self.prepared(sql, in: &state, raw: raw) : Self.preparedLarge(sql, in: &state, raw: raw)
            // Bindings are left in place after a run, and overwritten by the next. Clearing them
            // makes SQLite plan the statement afresh at its next step whenever its planner
            // looked at a bound value. It looks at the value of any `col = ?` to guess how
            // selective it is, and then plans again only if the value changes between 0 or 1
            // and anything else, so a kept lookup beside an ORDER BY is no longer planned on
            // every run (that was 4% of a SIM read). A bound `LIMIT ?`, or a value compared with
            // a partial index's condition, still makes a new plan on every run; SQLKit writes
            // limits as literals, and the few such comparisons are off the hot paths (the job
            // scheduler's poll, the operator lookup). Bindings are cleared before a run that
            // binds fewer values than the statement has, so none is left over.
            // Text and blobs are bound in place from the arena: the bindings left behind point
            // into it, and are never read before the statement's next run binds them anew.
            let bytes = binds.reduce(0) { $0 + $1.boundBytes }
            if bytes > state.arena.capacity { Self.replaceArena(in: &state, capacity: BindArena.capacity(toHold: bytes, growing: state.arena.capacity)) }
            defer {
                sqlite_nio_sqlite3_reset(statement)
                if !kept { sqlite_nio_sqlite3_clear_bindings(statement) }
                if state.arena.capacity > BindArena.largestKept { Self.replaceArena(in: &state, capacity: BindArena.initialCapacity) }
            }
            if binds.count != Int(sqlite_nio_sqlite3_bind_parameter_count(statement)) { sqlite_nio_sqlite3_clear_bindings(statement) }
            var offset = 0
            for (index, bind) in binds.enumerated() {
                try Self.check(Self.bind(bind, at: Int32(index + 1), to: statement, from: state.arena, offset: &offset), raw)
            }
            var names: SQLiteColumnNames?
            while true {
                let step = sqlite_nio_sqlite3_step(statement)
                if step == SQLITE_DONE { return }
                guard step == SQLITE_ROW else { throw Self.failure(step, raw) }
                // Read after the first step: a step may have planned the statement afresh.
                let columns = names ?? Self.columnNames(of: statement, kept: kept, in: &state)
                names = columns
                try onRow(SQLiteResultRow(names: columns, values: (0..<Int32(columns.names.count)).map { Self.value(at: $0, of: statement) }))
            }
        }
    }

    /// How many times SQLite has had to plan the kept statement for `sql` again since it was
    /// prepared (nil when none is kept), so tests can tell reuse from re-preparing.
    func reprepareCount(of sql: String) -> Int? {
        state.withLock { state in
            state.statements[sql].map { Int(sqlite_nio_sqlite3_stmt_status($0, SQLITE_STMTSTATUS_REPREPARE, 0)) }
        }
    }

    /// How many times the large statement kept for `sql` has run since it was prepared (nil
    /// when none is kept), so tests can tell a kept one from one prepared again.
    func runCount(ofLarge sql: String) -> Int? {
        state.withLock { state in
            state.largeStatements.first { $0.sql == sql }.map { Int(sqlite_nio_sqlite3_stmt_status($0.statement, SQLITE_STMTSTATUS_RUN, 0)) }
        }
    }

    /// Finalizes the statements and closes the connection, then ends its thread.
    func close() {
        state.withLock { state in
            for statement in state.statements.values { sqlite_nio_sqlite3_finalize(statement) }
            state.statements.removeAll()
            state.columnNames.removeAll()
            for (_, statement) in state.largeStatements { sqlite_nio_sqlite3_finalize(statement) }
            state.largeStatements.removeAll()
            state.arena.free()
            if let raw = state.raw { sqlite_nio_sqlite3_close_v2(raw) }
            state.raw = nil
        }
    }

    /// Ends the connection's thread; call after ``close()``, from another thread.
    func stopThread() {
        thread.stop()
    }

    /// The result column names of `statement`, read once per kept statement (and again if
    /// SQLite has planned it afresh since).
    private static func columnNames(of statement: OpaquePointer, kept: Bool, in state: inout State) -> SQLiteColumnNames {
        let replans = sqlite_nio_sqlite3_stmt_status(statement, SQLITE_STMTSTATUS_REPREPARE, 0)
        if kept, let known = state.columnNames[statement], known.replans == replans { return known.names }
        let names = SQLiteColumnNames((0..<sqlite_nio_sqlite3_column_count(statement)).map { String(cString: sqlite_nio_sqlite3_column_name(statement, $0)) })
        if kept { state.columnNames[statement] = (names, replans) }
        return names
    }

    private static func prepared(_ sql: String, in state: inout State, raw: OpaquePointer) throws -> OpaquePointer {
        if let statement = state.statements[sql] { return statement }
        if state.statements.count >= statementLimit {
            for statement in state.statements.values { sqlite_nio_sqlite3_finalize(statement) }
            state.statements.removeAll()
            state.columnNames.removeAll()
        }
        let statement = try prepare(sql, raw: raw, flags: UInt32(SQLITE_PREPARE_PERSISTENT))
        state.statements[sql] = statement
        return statement
    }

    /// A large statement, reused if it is one of the last ``largeStatementLimit`` used.
    private static func preparedLarge(_ sql: String, in state: inout State, raw: OpaquePointer) throws -> OpaquePointer {
        if let index = state.largeStatements.firstIndex(where: { $0.sql == sql }) {
            // The most recently used go last, so that the first is the one to drop.
            let found = state.largeStatements.remove(at: index)
            state.largeStatements.append(found)
            return found.statement
        }
        let statement = try prepare(sql, raw: raw, flags: UInt32(SQLITE_PREPARE_PERSISTENT))
        if state.largeStatements.count >= largeStatementLimit {
            sqlite_nio_sqlite3_finalize(state.largeStatements.removeFirst().statement)
        }
        state.largeStatements.append((sql, statement))
        return statement
    }

    private static func prepare(_ sql: String, raw: OpaquePointer, flags: UInt32 = 0) throws -> OpaquePointer {
        var statement: OpaquePointer?
        let code = sqlite_nio_sqlite3_prepare_v3(raw, sql, -1, flags, &statement, nil)
        guard code == SQLITE_OK else { throw failure(code, raw) }
        // An empty statement (only a comment) prepares to nothing.
        guard let statement else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "empty statement: \(sql.prefix(200))") }
        return statement
    }

    /// Binds `value`; text and blobs are first copied into `arena` at `offset`, which moves
    /// past them, and SQLite reads them there rather than copying them again. Copying each
    /// into memory of SQLite's own cost an allocation and a free per value: 10% of the
    /// writer's time under accounting load, which binds thousands of strings per batch.
    private static func bind(_ value: SQLiteData, at index: Int32, to statement: OpaquePointer, from arena: BindArena, offset: inout Int) -> Int32 {
        switch value {
        case .integer(let integer): return sqlite_nio_sqlite3_bind_int64(statement, index, Int64(integer))
        case .float(let double): return sqlite_nio_sqlite3_bind_double(statement, index, double)
        case .null: return sqlite_nio_sqlite3_bind_null(statement, index)
        case .text(let text):
            let (start, count) = arena.copy(text, at: &offset)
            return sqlite_nio_sqlite3_bind_text64(statement, index, start.assumingMemoryBound(to: CChar.self), UInt64(count), inPlace, UInt8(SQLITE_UTF8))
        case .blob(let buffer):
            let (start, count) = buffer.withUnsafeReadableBytes { arena.copy($0, at: &offset) }
            return sqlite_nio_sqlite3_bind_blob64(statement, index, start, UInt64(count), inPlace)
        }
    }

    /// Gives the connection a new, empty arena of `capacity` bytes and frees the old one, after
    /// clearing every statement's bindings: none may go on pointing into freed memory.
    private static func replaceArena(in state: inout State, capacity: Int) {
        for statement in state.statements.values { sqlite_nio_sqlite3_clear_bindings(statement) }
        for (_, statement) in state.largeStatements { sqlite_nio_sqlite3_clear_bindings(statement) }
        state.arena.free()
        state.arena = BindArena(capacity: capacity)
    }

    private static func value(at index: Int32, of statement: OpaquePointer) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER:
            return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, index)))
        case SQLITE_FLOAT:
            return .float(sqlite_nio_sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
            guard let text = sqlite_nio_sqlite3_column_text(statement, index) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            if let blob = sqlite_nio_sqlite3_column_blob(statement, index) { buffer.writeBytes(UnsafeRawBufferPointer(start: blob, count: count)) }
            return .blob(buffer)
        default:
            return .null
        }
    }

    private static func check(_ code: Int32, _ raw: OpaquePointer) throws {
        guard code == SQLITE_OK else { throw failure(code, raw) }
    }

    private static func failure(_ code: Int32, _ raw: OpaquePointer) -> SQLiteFailure {
        SQLiteFailure(code: code, message: String(cString: sqlite_nio_sqlite3_errmsg(raw)))
    }

    /// SQLite reads bound text and blobs where they are (`SQLITE_STATIC`): in the arena, which
    /// outlives the run. That holds only because ``run(_:_:_:)`` is the one place statements are
    /// stepped, always after binding every value anew: anything that would read a statement's
    /// bindings otherwise (`sqlite3_expanded_sql`, tracing, `sqlite3_stmt_explain`) would read
    /// another run's bytes.
    private static let inPlace = unsafeBitCast(0, to: sqlite3_destructor_type.self)
}

/// An error SQLite reported, with its (extended) result code.
struct SQLiteFailure: Error, CustomStringConvertible {
    /// SQLite's extended result code, such as 2067 for a UNIQUE constraint.
    let code: Int32
    /// SQLite's message.
    let message: String

    var description: String { "SQLite error \(code): \(message)" }
}

/// Why the storage itself refused a unit of work (the disk full, the file locked past its wait,
/// an I/O error, a read-only file), when `error` says so: the request was sound, and may
/// succeed once the storage is back. `nil` for every other error.
public func storageFault(in error: any Error) -> String? {
    if case StoreError.groupCommitFailed(_, let fault) = error { return fault }
    guard let failure = error as? SQLiteFailure else { return nil }
    // Primary result codes (the low byte of an extended one), from SQLite's documentation.
    switch failure.code & 0xFF {
    case 5, 6: return "the database is busy with another writer"
    case 8: return "the database is read-only"
    case 10: return "the database's storage reported an I/O error"
    case 13: return "the database's disk is full"
    case 14: return "the database file cannot be opened"
    case 26: return "the database file is not a SQLite database"
    default: return nil
    }
}

/// A result's column names and where each is, shared by all its rows.
final class SQLiteColumnNames: Sendable {
    /// The names in column order.
    let names: [String]
    /// Each name's first column.
    let positions: [String: Int]
    /// Each name's length in UTF-8, in column order.
    private let lengths: [Int]

    init(_ names: [String]) {
        self.names = names
        var positions: [String: Int] = [:]
        for (index, name) in names.enumerated() where positions[name] == nil { positions[name] = index }
        self.positions = positions
        lengths = names.map(\.utf8.count)
    }

    /// Results this narrow are searched in order rather than hashed: a column is read by name
    /// for every value of every row, and comparing a short name with a few others costs less
    /// than hashing it (hashing was 5% of the SQLite writer under accounting load).
    private static let scannedColumns = 24

    /// The first column called `name`.
    func position(of name: String) -> Int? {
        guard names.count <= Self.scannedColumns else { return positions[name] }
        // Lengths are compared first: comparing two strings that differ is a call into the
        // standard library each time, and most names in a scan differ. Those calls were 1.5%
        // of an accounting update's CPU.
        let length = name.utf8.count
        for index in lengths.indices where lengths[index] == length && names[index] == name {
            return index
        }
        return nil
    }
}

/// One row of a result.
struct SQLiteResultRow: Sendable {
    /// The result's columns.
    let names: SQLiteColumnNames
    /// The row's values, in column order.
    let values: [SQLiteData]

    /// The value of the column `name`, if the result has one.
    func value(_ name: String) -> SQLiteData? {
        names.position(of: name).map { values[$0] }
    }
}

private extension SQLiteData {
    /// The bytes this value takes in the arena when bound: text and blobs; numbers take none.
    var boundBytes: Int {
        switch self {
        case .text(let text): text.utf8.count
        case .blob(let buffer): buffer.readableBytes
        case .integer, .float, .null: 0
        }
    }
}
