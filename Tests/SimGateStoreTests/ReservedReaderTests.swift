import Foundation
import SimGateCore
import SimGateExecutors
import SimGateStore
import SimGateTestSupport
import Testing

/// The read connection kept for Access-Requests, called in place on its caller's thread.
@Suite("A read connection of its own", .timeLimit(.minutes(1)))
struct ReservedReaderTests {
    @Test("reads see every write committed before them, from a thread of the caller's own", arguments: TestEngine.available)
    func seesCommittedWrites(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let store = database.store
            let reader = store.reservedReader(name: "test-reserved")
            let ids = IdentifierGenerator(clock: SystemWallClock())
            let thread = ThreadExecutor(name: "test-reserved-caller")
            defer { thread.stop() }
            for _ in 0..<20 {
                let event = Fixtures.systemEvent(ids)
                try await store.transaction { try await $0.events.append([event]) }
                let read = try await withTaskExecutorPreference(thread) {
                    try await store.read(on: reader) { try await $0.events.find(event.id, accountID: nil) }
                }
                #expect(read?.id == event.id)
            }
        }
    }

    @Test("once the database is closed, a read on it fails instead of opening the file again")
    func closedWithTheDatabase() async throws {
        let database = try SimGateDatabase(try await TestDatabase.freshConfiguration(.sqlite), logger: TestDatabase.logger)
        let store = database.store
        let reader = store.reservedReader(name: "test-reserved-closed")
        try await database.withRunning {
            try await Migrator(database: database, logger: TestDatabase.logger).migrate()
            #expect(try await store.read(on: reader) { try await $0.events.find(EventID(trusted: "evt_none"), accountID: nil) } == nil)
        }
        await #expect(throws: StoreError.databaseClosed) {
            try await store.read(on: reader) { try await $0.events.find(EventID(trusted: "evt_none"), accountID: nil) }
        }
    }
}
