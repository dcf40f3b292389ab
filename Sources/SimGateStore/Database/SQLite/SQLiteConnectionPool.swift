import Logging
import NIOCore

/// A small pool of connections to one SQLite file, each set up for SimGate's use and each
/// with its own thread.
///
/// Connections are opened lazily up to `maximumConnections`.
actor SQLiteConnectionPool {
    private let path: String
    private let maximumConnections: Int
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private var idle: [SQLiteHandle] = []
    private var openCount = 0
    /// Numbers the connections' threads.
    private var opened = 0
    private let waiters = TimedWaiters<SQLiteHandle>()
    private var isClosed = false
    /// ``close()`` waiting for the connections still leased (or being opened) to come back.
    private let drained = TimedWaiters<Void>()
    /// Longest wait for a free connection before the request fails with ``StoreError/connectionUnavailable``.
    private let leaseTimeout: Duration
    /// Copies the log into the file for every connection's commits.
    let checkpointer: SQLiteCheckpointer

    /// A pool for the file at `path`; no connection is opened before the first lease.
    init(
        path: String, maximumConnections: Int, eventLoopGroup: any EventLoopGroup, logger: Logger,
        leaseTimeout: Duration = .seconds(30), checkpointPages: Int = 1_000, logLimitPages: Int = 8_000
    ) {
        self.leaseTimeout = leaseTimeout
        self.checkpointer = SQLiteCheckpointer(path: path, threshold: checkpointPages, limit: logLimitPages, logger: logger)
        self.path = path
        self.maximumConnections = maximumConnections
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }

    /// Takes a connection, opening one or waiting for one as needed.
    func lease() async throws -> SQLiteHandle {
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
    func release(_ connection: SQLiteHandle) async {
        if isClosed {
            Self.closeAndStop(connection)
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
        for connection in closing { Self.closeAndStop(connection) }
        if openCount > 0 {
            try? await drained.wait(timeout: drainTimeout, timers: eventLoopGroup, timeoutError: { StoreError.databaseClosed })
            if openCount > 0 { logger.warning("Closed the database with connections still in use", metadata: ["connections": "\(openCount)"]) }
        }
        await checkpointer.close()
        return true
    }

    /// A connection was closed or failed to open.
    private func connectionGone() {
        openCount -= 1
        if isClosed, openCount == 0 { drained.handOut(()) {} }
    }

    /// Closes the connection, then ends its thread (from this actor's thread, never its own).
    private static func closeAndStop(_ connection: SQLiteHandle) {
        connection.close()
        connection.stopThread()
    }

    private func open() async throws -> SQLiteHandle {
        opened += 1
        return try await SQLiteHandle.open(path: path, name: "SimGate SQLite \(opened)", checkpointer: checkpointer)
    }
}
