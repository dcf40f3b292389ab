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

    /// The defaults: a 30-second wait, 4 SQLite and 20 PostgreSQL connections.
    public init() {}
}

extension Duration {
    /// Whole nanoseconds, for APIs that take them (NIO's `TimeAmount`).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
