/// The SQL engine behind a ``SimGateDatabase``, for the few statements whose spelling differs.
public enum DatabaseEngine: String, Sendable {
    /// An SQLite file.
    case sqlite
    /// A PostgreSQL server.
    case postgres

    /// Opens a write transaction. SQLite takes the write lock at once (`IMMEDIATE`) so two
    /// writers queue on the busy timeout instead of failing with SQLITE_BUSY half-way.
    var beginWriteTransaction: String {
        switch self {
        case .sqlite: "BEGIN IMMEDIATE"
        case .postgres: "BEGIN"
        }
    }

    /// Row-lock clause for claiming work that several instances compete for. SQLite has one
    /// writer at a time, so the write transaction alone is the lock there.
    var skipLockedClause: String {
        switch self {
        case .sqlite: ""
        case .postgres: "FOR UPDATE SKIP LOCKED"
        }
    }
}

extension DatabaseEngine {
    /// The engine behind an SQLKit dialect name (`postgresql`, `sqlite`).
    init(dialect name: String) {
        self = name == "postgresql" ? .postgres : .sqlite
    }
}
