import Foundation
import SimGateCore
@testable import SimGateStore
import SimGateTestSupport
import SQLKit
import Testing

/// Statements with thousands of binds (a batch of 1,000 events) are prepared once and reused
/// on SQLite, the last few of them: each reuse must bind afresh, and a statement whose step
/// failed must work again next time.
@Suite("Large statements reused")
struct LargeStatementTests {
    private static func events(_ count: Int, _ ids: IdentifierGenerator) -> [Event] {
        (0..<count).map { n in Fixtures.systemEvent(ids, object: "{\"n\":\(n)}", actorID: "batch-\(count)") }
    }

    @Test("batches of 1,000 and of other sizes, one failing on a duplicate id, store exactly the rows of the batches that succeeded", arguments: TestEngine.available)
    func reusedBatches(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let store = database.store
            let ids = IdentifierGenerator(clock: SystemWallClock())
            var stored: [Event] = []
            // The 1,000-row shape three times, then a batch of that shape failing on its last
            // row, then four other shapes (more than are kept), then the first shape again.
            for size in [1_000, 1_000, 1_000] {
                let batch = Self.events(size, ids)
                try await store.transaction { tx in try await tx.events.append(batch) }
                stored += batch
            }
            var failing = Self.events(1_000, ids)
            failing[999] = Event(
                id: stored[0].id, type: .simUpdated, accountID: nil, simID: nil, object: "{}", previousAttributes: nil,
                cause: ChangeCause(actor: ChangeActor(.system, id: "duplicate")), createdAt: Date()
            )
            await #expect(throws: (any Error).self) { try await store.transaction { tx in try await tx.events.append(failing) } }
            for size in [500, 999, 998, 997, 1_000, 1_000] {
                let batch = Self.events(size, ids)
                try await store.transaction { tx in try await tx.events.append(batch) }
                stored += batch
            }
            let rows = try await database.sqlRead { db in
                try await db.select().columns("id", "object").from("events").all().map { (try $0.decode(column: "id", as: String.self), try $0.decode(column: "object", as: String.self)) }
            }
            let found = Dictionary(uniqueKeysWithValues: rows)
            #expect(found.count == stored.count)
            for event in stored {
                #expect(found[event.id.rawValue] == event.object, "event \(event.id)")
            }
            // The failed batch left none of its rows.
            #expect(failing.prefix(999).allSatisfy { found[$0.id.rawValue] == nil })
        }
    }
}
