/// How many connections SimGate opens and how long any piece of work may wait for one.
public struct ConnectionLimits: Sendable, Equatable {
    /// Longest wait for a connection (or, on SQLite, for the single writer's turn) before the
    /// work fails with ``StoreError/connectionUnavailable(waited:)``. Nothing waits unbounded
    /// on a pool that is exhausted, unreachable, or not running.
    public var leaseTimeout: Duration = .seconds(30)
    /// Connections to an SQLite file (one writes at a time; the rest read beside it).
    public var sqliteConnections = 4
    /// Connections to PostgreSQL per SimGate instance.
    public var postgresConnections = 20
    /// Pages of SQLite's write-ahead log waiting to be copied into the file at which a copy
    /// starts, on a connection of its own (see `SQLiteCheckpointer`). SQLite's own default.
    public var sqliteCheckpointPages = 1_000
    /// Length of SQLite's log, in pages, from which commits copy it themselves, so that the log
    /// starts over even under writes that never pause (8,000 pages of 4 KiB: 32 MiB).
    public var sqliteLogLimitPages = 8_000

    /// The defaults: a 30-second wait, 4 SQLite and 20 PostgreSQL connections, a log copied
    /// every 1,000 pages, and by commits themselves from 8,000.
    public init() {}
}

extension Duration {
    /// Whole nanoseconds, for APIs that take them (NIO's `TimeAmount`).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
