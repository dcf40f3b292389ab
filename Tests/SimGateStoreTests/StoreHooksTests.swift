import Foundation
import SimGateCore
import SimGateStore
import SimGateTestSupport
import Synchronization
import Testing

@Suite("Store hooks")
struct StoreHooksTests {
    /// Runs no hook of its own; being installed makes every append read the hooks.
    private struct QuietHook: EventAppendHook {
        func eventsAppended(_ events: [Event], in tx: StoreTransaction) async throws {}
    }

    // The defect: the listener was kept in a tuple inside a Mutex, and every read of the hooks
    // wrapped it in more reabstraction thunks. After thousands of commits it ran thousands of
    // frames down the stack (and the server slowed with every commit until it overflowed).
    @Test("the commit listener is called as directly after thousands of commits as after the first", arguments: TestEngine.available)
    func listenerDoesNotDeepen(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let hooks = StoreHooks()
            hooks.install([QuietHook()])
            let depths = Mutex<[Int]>([])
            hooks.onCommit { work, _ in
                if work.contains(.events) { depths.withLock { $0.append(Thread.callStackReturnAddresses.count) } }
            }
            let store = Store(database: database, ids: IdentifierGenerator(clock: SystemWallClock()), hooks: hooks)
            let ids = IdentifierGenerator(clock: SystemWallClock())
            let cause = ChangeCause(actor: ChangeActor(.system, id: "test"))
            for _ in 0..<1_000 {
                let event = Event(
                    id: ids.make(), type: .simUpdated, accountID: nil, simID: nil, object: "{}", previousAttributes: nil, cause: cause, createdAt: Date()
                )
                try await store.transaction { tx in try await tx.events.append([event]) }
            }
            let seen = depths.withLock { $0 }
            try #require(seen.count == 1_000)
            // Frames on the listener's thread (Foundation counts up to 128). Commits resume on
            // different threads, so allow a few frames either way; with the defect the last
            // commits ran thousands of frames deep.
            let first = try #require(seen.first)
            let deepestLate = try #require(seen.suffix(100).max())
            #expect(deepestLate < 100 && deepestLate <= first + 8, "frames at the first commit: \(first); at the last ones, up to \(deepestLate)")
        }
    }
}
