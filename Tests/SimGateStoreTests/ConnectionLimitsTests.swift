import Foundation
import SimGateStore
import SimGateTestSupport
import SQLKit
import Testing

/// No work waits unbounded for a database connection.
@Suite("Waits for a connection are bounded", .timeLimit(.minutes(1)))
struct ConnectionLimitsTests {
    static var tight: ConnectionLimits {
        var limits = ConnectionLimits()
        limits.leaseTimeout = .milliseconds(300)
        limits.sqliteConnections = 1
        limits.postgresConnections = 1
        return limits
    }

    static func selectOne(_ db: any SQLDatabase) async throws -> Int {
        try await db.raw("SELECT 1 AS one").all().count
    }

    /// Runs `body` while a write transaction holds the database's one writer (and, with
    /// ``tight`` limits, its one connection), then lets the write finish.
    static func whileAWriteIsHeld(in database: SimGateDatabase, _ body: () async throws -> Void) async throws {
        let holding = OnceSignal(), release = OnceSignal()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await database.sqlTransaction { _ in
                    holding.open()
                    await release.wait()
                }
            }
            await holding.wait()
            do {
                try await body()
            } catch {
                release.open()
                throw error
            }
            release.open()
            try await group.waitForAll()
        }
    }

    @Test("with every connection busy, the next read and the next write fail with connectionUnavailable; once one is free, work goes on", arguments: TestEngine.available)
    func exhaustedPool(engine: TestEngine) async throws {
        let configuration = try await TestDatabase.freshConfiguration(engine)
        let setup = try SimGateDatabase(configuration, logger: TestDatabase.logger)
        _ = try await setup.withRunning { try await Migrator(database: setup, logger: TestDatabase.logger).migrate() }
        let database = try SimGateDatabase(configuration, logger: TestDatabase.logger, limits: Self.tight)
        try await database.withRunning {
            // Opening the one connection may itself take longer than the tight limit while the
            // rest of the suite loads the server; once open, it stays in the pool.
            for _ in 0..<50 {
                if (try? await database.sqlRead(Self.selectOne)) != nil { break }
            }
            try await Self.whileAWriteIsHeld(in: database) {
                await #expect(throws: StoreError.connectionUnavailable(waited: .milliseconds(300))) {
                    try await database.sqlRead(Self.selectOne)
                }
                await #expect(throws: StoreError.connectionUnavailable(waited: .milliseconds(300))) {
                    try await database.sqlTransaction(Self.selectOne)
                }
            }
            #expect(try await database.sqlRead(Self.selectOne) == 1)
        }
    }

    @Test("writes queued behind a held one each fail in bounded time, and the queue serves the next one after")
    func queuedWritesEachTimeOut() async throws {
        let configuration = try await TestDatabase.freshConfiguration(.sqlite)
        let database = try SimGateDatabase(configuration, logger: TestDatabase.logger, limits: Self.tight)
        try await database.withRunning {
            try await Self.whileAWriteIsHeld(in: database) {
                // The queue keeps one timer, for its earliest deadline: every waiter must still
                // be failed when its own time is up (TimedWaitersTests orders the deadlines).
                await withTaskGroup(of: Void.self) { waiters in
                    for _ in 0..<3 {
                        waiters.addTask {
                            await #expect(throws: StoreError.connectionUnavailable(waited: .milliseconds(300))) {
                                try await database.sqlTransaction(Self.selectOne)
                            }
                        }
                    }
                }
            }
            #expect(try await database.sqlTransaction(Self.selectOne) == 1)
        }
    }

    @Test("a PostgreSQL client that was never started fails the request in bounded time instead of holding it forever")
    func postgresNotRunning() async throws {
        guard TestEngine.available.contains(.postgres) else { return }
        let configuration = try await TestDatabase.freshConfiguration(.postgres)
        let database = try SimGateDatabase(configuration, logger: TestDatabase.logger, limits: Self.tight)
        await #expect(throws: StoreError.connectionUnavailable(waited: .milliseconds(300))) {
            try await database.sqlRead(Self.selectOne)
        }
    }
}
