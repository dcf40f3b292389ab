import Foundation
@testable import SimGateStore
import SimGateTestSupport
import SQLKit
import Testing

/// A PostgreSQL session the server ends in the middle of a unit of work (its idle-in-transaction
/// limit after an instance froze, an administrator, a restart) fails that unit of work at once.
@Suite("A connection the database closes", .timeLimit(.minutes(2)))
struct ConnectionLossTests {
    /// The next statement on a connection whose session the server had ended was never
    /// answered: postgres-nio dropped its write to the closed channel, and the unit of work
    /// (and the HTTP request behind it) waited for ever, deaf to cancellation.
    @Test("a statement after the server ended the session fails with connectionLost, and the next unit of work runs")
    func sessionEndedMidTransaction() async throws {
        guard TestEngine.available.contains(.postgres) else { return }
        try await TestDatabase.with(.postgres) { database in
            let outcome = await within(seconds: 30) {
                do {
                    try await database.sqlTransaction { db in
                        let pid = try #require(try await db.raw("SELECT pg_backend_pid() AS pid").first()?.decode(column: "pid", as: Int.self))
                        try await database.sqlRead { other in
                            _ = try await other.raw("SELECT pg_terminate_backend(CAST(\(bind: pid) AS integer))").all()
                        }
                        // Once the client has seen the session end, the bug's window is open.
                        let guarded = try #require(db as? GuardedPostgresDatabase)
                        try await guarded.connection.closeFuture.get()
                        _ = try await db.raw("SELECT 1 AS one").all()
                    }
                    return "committed"
                } catch StoreError.connectionLost {
                    return "connectionLost"
                } catch {
                    return String(reflecting: error)
                }
            }
            #expect(outcome == "connectionLost")
            let after = await within(seconds: 30) {
                try await database.sqlTransaction { db in try await db.raw("SELECT 1 AS one").all().count }
            }
            #expect(after == 1)
        }
    }
}
