import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit
import ServiceLifecycle
import Synchronization

/// SimGate's one handle on its database, SQLite or PostgreSQL, behind the same SQLKit interface.
///
/// ``Store`` opens its units of work here: all writes in ``sqlTransaction(_:)``, reads in
/// ``sqlRead(_:)``. The database is a
/// `Service`: PostgreSQL's client only talks while ``run()`` runs, and SQLite's connections are
/// closed when it ends. Outside a service group, use ``withRunning(_:)``.
public final class SimGateDatabase: Service, Sendable {
    private enum Backend: Sendable {
        case sqlite(pool: SQLiteConnectionPool, writer: SQLiteGroupCommit)
        case postgres(PostgresClient)
    }

    /// Which engine this is.
    public let engine: DatabaseEngine
    private let backend: Backend
    private let logger: Logger
    private let limits: ConnectionLimits
    /// Opens when ``run()`` has started, so ``withRunning(_:)`` never leases before it.
    private let started = OnceSignal()
    /// The SQLite file's path (nil on PostgreSQL).
    private let sqlitePath: String?
    /// Readers kept for callers of their own, closed with the database.
    private let reservedReaders = Mutex<[ReservedReader]>([])

    /// Prepares a handle for `configuration`. No connection is opened until the first query.
    public init(_ configuration: DatabaseConfiguration, logger: Logger, limits: ConnectionLimits = ConnectionLimits()) throws {
        self.logger = logger
        self.limits = limits
        switch configuration {
        case .sqlite(let path):
            // Each connection has a thread of its own, on which its units of work run whole.
            let pool = SQLiteConnectionPool(
                path: path, maximumConnections: limits.sqliteConnections,
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger, leaseTimeout: limits.leaseTimeout,
                checkpointPages: limits.sqliteCheckpointPages, logLimitPages: limits.sqliteLogLimitPages
            )
            engine = .sqlite
            sqlitePath = path
            backend = .sqlite(pool: pool, writer: SQLiteGroupCommit(pool: pool, logger: logger))
        case .postgres(let url):
            engine = .postgres
            sqlitePath = nil
            var client = try PostgresURL.clientConfiguration(from: url)
            client.options.maximumConnections = limits.postgresConnections
            backend = .postgres(PostgresClient(configuration: client, backgroundLogger: logger))
        }
    }

    /// Where a caller that writes often does best to wait between its writes: SQLite's writer
    /// thread, on which its units of work run anyway, so that the caller is resumed there
    /// rather than woken on the shared pool and moved over for each write. Nil on PostgreSQL,
    /// and once the database is closed. Starts SQLite's writer thread if no write has yet.
    public func writeExecutor() -> (any TaskExecutor)? {
        switch backend {
        case .sqlite(_, let writer): try? writer.writer()
        case .postgres: nil
        }
    }

    /// Runs `body` on one connection, for reads (and statements that need no transaction).
    package func sqlRead<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(let pool, _):
            return try await withSQLiteConnection(pool, body)
        case .postgres(let client):
            return try await client.withConnection(within: limits.leaseTimeout, once: started) { connection in
                try await body(GuardedPostgresDatabase(connection))
            }
        }
    }

    /// A read connection of its own for one caller (see ``ReservedReader``).
    public func reservedReader(name: String) -> ReservedReader {
        let reader = ReservedReader(sqlitePath: sqlitePath, name: name)
        reservedReaders.withLock { $0.append(reader) }
        return reader
    }

    /// Runs `body` on `reader`'s connection, in place on the calling thread; through the pool
    /// on PostgreSQL.
    package func sqlRead<T: Sendable>(on reader: ReservedReader, _ body: (any SQLDatabase) async throws -> T) async throws -> T {
        guard let connection = try await reader.connection() else { return try await sqlRead(body) }
        return try await body(SQLiteHandleDatabase(handle: connection, logger: logger))
    }

    /// Runs `body` in one write transaction: all of it is committed, or none of it if it throws.
    package func sqlTransaction<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(_, let writer):
            // One writer at a time, queued without costing a thread; those queued behind it
            // join its transaction and commit with it (see SQLiteGroupCommit).
            return try await writer.transaction(timeout: limits.leaseTimeout, timers: MultiThreadedEventLoopGroup.singleton, body)
        case .postgres(let client):
            return try await client.withConnection(within: limits.leaseTimeout, once: started) { connection in
                try await Self.runTransaction(on: GuardedPostgresDatabase(connection), engine: .postgres, body)
            }
        }
    }

    /// Keeps the database usable until graceful shutdown, then closes it.
    public func run() async throws {
        switch backend {
        case .postgres(let client):
            started.open()
            await client.run()
        case .sqlite:
            started.open()
            // Wait for graceful shutdown inside a service group, or for cancellation outside one.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(365 * 24 * 3600)) }
            await close()
        }
    }

    /// Runs the database for the duration of `body`; for the command line and tests.
    public func withRunning<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        // Deliberately not a child task: if the caller is cancelled, a child running the
        // PostgreSQL client would stop at once and strand connection requests that `body` is
        // still waiting on (they are never answered, and the caller hangs). Here the client
        // keeps serving until `body` has returned, and only then is it stopped.
        let runner = Task { try await self.run() }
        // PostgreSQL's client queues leases taken before its run() starts; wait for it rather
        // than race it.
        await started.wait()
        do {
            let result = try await body()
            runner.cancel()
            _ = await runner.result
            await close()
            return result
        } catch {
            runner.cancel()
            _ = await runner.result
            await close()
            throw error
        }
    }

    /// What copies SQLite's log into its file (nil on PostgreSQL); tests read its counts.
    var sqliteLogCopier: SQLiteCheckpointer? {
        if case .sqlite(let pool, _) = backend { return pool.checkpointer }
        return nil
    }

    /// Units of work queued for SQLite's writer now; 0 on PostgreSQL, where none queue.
    var writesWaiting: Int {
        if case .sqlite(_, let writer) = backend { return writer.unitsWaiting }
        return 0
    }

    /// Closes SQLite connections and their threads. PostgreSQL closes when ``run()`` is cancelled.
    public func close() async {
        if case .sqlite(let pool, let writer) = backend {
            for reader in reservedReaders.withLock({ $0 }) { reader.close() }
            await pool.close()
            writer.close()
        }
    }

    /// Runs `body` with a leased connection, on that connection's thread: its statements then
    /// run in place, with no thread switch per statement.
    nonisolated(nonsending) private func withSQLiteConnection<T: Sendable>(_ pool: SQLiteConnectionPool, _ body: (any SQLDatabase) async throws -> T) async throws -> T {
        let connection = try await pool.lease()
        do {
            let database = SQLiteHandleDatabase(handle: connection, logger: logger)
            let result = try await withTaskExecutorPreference(connection.thread) { try await body(database) }
            await pool.release(connection)
            return result
        } catch {
            await pool.release(connection)
            throw error
        }
    }

    nonisolated(nonsending) private static func runTransaction<T: Sendable>(on database: any SQLDatabase, engine: DatabaseEngine, _ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await database.raw(SQLQueryString(engine.beginWriteTransaction)).run()
        do {
            let result = try await body(database)
            do {
                try await database.raw("COMMIT").run()
            } catch StoreError.connectionLost {
                // The server may have committed before the session ended: no one can say.
                throw StoreError.connectionLostAtCommit
            }
            return result
        } catch {
            try? await database.raw("ROLLBACK").run()
            throw error
        }
    }
}
