import Logging
import NIOCore
import NIOPosix
import SQLiteNIO

/// A small pool of connections to one SQLite file, each set up for SimGate's use.
///
/// sqlite-kit's pool predates Swift 6 concurrency checking; this actor keeps the same idea in a
/// form the compiler can check. Connections are opened lazily up to `maximumConnections`.
actor SQLiteConnectionPool {
    private let path: String
    private let maximumConnections: Int
    private let threadPool: NIOThreadPool
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private var idle: [SQLiteConnection] = []
    private var openCount = 0
    private let waiters = TimedWaiters<SQLiteConnection>()
    private var isClosed = false
    /// ``close()`` waiting for the connections still leased (or being opened) to come back.
    private let drained = TimedWaiters<Void>()
    /// Longest wait for a free connection before the request fails with ``StoreError/connectionUnavailable``.
    private let leaseTimeout: Duration

    /// A pool for the file at `path`; no connection is opened before the first lease.
    init(
        path: String, maximumConnections: Int, threadPool: NIOThreadPool, eventLoopGroup: any EventLoopGroup, logger: Logger,
        leaseTimeout: Duration = .seconds(30)
    ) {
        self.leaseTimeout = leaseTimeout
        self.path = path
        self.maximumConnections = maximumConnections
        self.threadPool = threadPool
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }

    /// Takes a connection, opening one or waiting for one as needed.
    func lease() async throws -> SQLiteConnection {
        guard !isClosed else { throw StoreError.databaseClosed }
        if let connection = idle.popLast() { return connection }
        if openCount < maximumConnections {
            openCount += 1
            do {
                return try await open()
            } catch {
                connectionGone()
                throw error
            }
        }
        let timeout = leaseTimeout
        return try await waiters.wait(timeout: timeout, timers: eventLoopGroup, timeoutError: { StoreError.connectionUnavailable(waited: timeout) })
    }

    /// Gives a connection back. One returned after ``close()`` is closed instead of kept.
    func release(_ connection: SQLiteConnection) async {
        if isClosed {
            await Self.closeEvenIfCancelled(connection)
            connectionGone()
        } else {
            var kept = false
            waiters.handOut(connection) { kept = true }
            if kept { idle.append(connection) }
        }
    }

    /// Closes every idle connection and fails waiters; leased ones close as they come back,
    /// and this waits for them (up to `drainTimeout`), since a connection can only be closed
    /// while the thread pool its owner shuts down next still runs. Returns `false` if the pool
    /// was already closed.
    @discardableResult
    func close(drainTimeout: Duration = .seconds(10)) async -> Bool {
        guard !isClosed else { return false }
        isClosed = true
        waiters.failAll(StoreError.databaseClosed)
        let closing = idle
        idle.removeAll()
        openCount -= closing.count
        for connection in closing { await Self.closeEvenIfCancelled(connection) }
        if openCount > 0 {
            try? await drained.wait(timeout: drainTimeout, timers: eventLoopGroup, timeoutError: { StoreError.databaseClosed })
            if openCount > 0 { logger.warning("Closed the database with connections still in use", metadata: ["connections": "\(openCount)"]) }
        }
        return true
    }

    /// A connection was closed or failed to open.
    private func connectionGone() {
        openCount -= 1
        if isClosed, openCount == 0 { drained.handOut(()) {} }
    }

    /// The async `close()` gives up when the calling task is cancelled, which is exactly when a
    /// database shuts down; an unclosed connection then traps in its deinit. The future-based
    /// close does not look at task cancellation.
    private static func closeEvenIfCancelled(_ connection: SQLiteConnection) async {
        try? await connection.close().get()
    }

    private func open() async throws -> SQLiteConnection {
        let connection = try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: threadPool, logger: logger, on: eventLoopGroup.any()
        )
        // WAL lets readers run beside the writer; NORMAL sync is durable across process crashes
        // in WAL mode; the busy timeout covers other processes (the CLI) writing meanwhile.
        do {
            for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=10000", "PRAGMA foreign_keys=ON"] {
                _ = try await connection.query(pragma)
            }
        } catch {
            // Cancelled mid-set-up (a start-up that fails elsewhere) or refused: a connection
            // dropped unclosed traps in its deinit.
            await Self.closeEvenIfCancelled(connection)
            throw error
        }
        return connection
    }
}
