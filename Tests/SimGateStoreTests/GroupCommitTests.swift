import Foundation
import SimGateCore
@testable import SimGateStore
import SimGateTestSupport
import SQLKit
import Testing

/// Units of work written at once: on SQLite they share transactions (group commit), and each
/// must still be all or nothing and stored by the time it returns.
@Suite("Units of work committed together")
struct GroupCommitTests {
    struct Refused: Error {}

    /// What became of each unit of work: whether it returned, and whether its event is stored.
    private static func outcomes(
        _ store: Store, units: Int, _ body: @escaping @Sendable (Int, Event, StoreTransaction) async throws -> Void
    ) async throws -> [(returned: Bool, readAtReturn: Bool, stored: Bool)] {
        let ids = IdentifierGenerator(clock: SystemWallClock())
        let events = (0..<units).map { _ in Fixtures.systemEvent(ids) }
        let results = await withTaskGroup(of: (Int, Bool, Bool).self) { group in
            for (index, event) in events.enumerated() {
                group.addTask {
                    do {
                        try await store.transaction { tx in try await body(index, event, tx) }
                        // Returned: the event must be readable by anyone at once.
                        let read = try await store.read { try await $0.events.find(event.id, accountID: nil) }
                        return (index, true, read != nil)
                    } catch {
                        return (index, false, false)
                    }
                }
            }
            var results: [Int: (Bool, Bool)] = [:]
            for await (index, returned, read) in group { results[index] = (returned, read) }
            return results
        }
        var outcomes: [(Bool, Bool, Bool)] = []
        for (index, event) in events.enumerated() {
            let stored = try await store.read { try await $0.events.find(event.id, accountID: nil) } != nil
            outcomes.append((results[index]!.0, results[index]!.1, stored))
        }
        return outcomes
    }

    @Test("a write after the database has closed fails with databaseClosed instead of waiting for a writer that is gone")
    func writeAfterClose() async throws {
        let database = try SimGateDatabase(try await TestDatabase.freshConfiguration(.sqlite), logger: TestDatabase.logger)
        try await database.withRunning {
            try await Migrator(database: database, logger: TestDatabase.logger).migrate()
            try await database.store.transaction { try await $0.events.append([Fixtures.systemEvent(IdentifierGenerator(clock: SystemWallClock()))]) }
        }
        await #expect(throws: StoreError.databaseClosed) {
            try await database.store.transaction { try await $0.events.append([Fixtures.systemEvent(IdentifierGenerator(clock: SystemWallClock()))]) }
        }
    }

    @Test("of 300 units of work at once, every one that returned is stored and readable, and every one that threw left nothing", arguments: TestEngine.available)
    func allOrNothingEach(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let outcomes = try await Self.outcomes(database.store, units: 300) { index, event, tx in
                try await tx.events.append([event])
                if index % 7 == 3 { throw Refused() }
            }
            for (index, outcome) in outcomes.enumerated() {
                #expect(outcome.returned == (index % 7 != 3), "unit \(index)")
                #expect(outcome.stored == outcome.returned, "unit \(index) returned \(outcome.returned) but stored \(outcome.stored)")
                #expect(outcome.readAtReturn == outcome.returned, "unit \(index) was not readable when it returned")
            }
        }
    }

    @Test("units of work one after another, each alone in its transaction: one that throws leaves nothing and throws its own error, and the next commits", arguments: TestEngine.available)
    func loneUnitsAllOrNothing(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let store = database.store
            let ids = IdentifierGenerator(clock: SystemWallClock())
            for index in 0..<6 {
                let events = [Fixtures.systemEvent(ids), Fixtures.systemEvent(ids)]
                let refused = index % 2 == 1
                do {
                    try await store.transaction { tx in
                        try await tx.events.append([events[0]])
                        try await tx.events.append([events[1]])
                        if refused { throw Refused() }
                    }
                    #expect(!refused, "unit \(index) should have thrown")
                } catch {
                    #expect(error is Refused, "unit \(index) threw \(error), not its own error")
                }
                for event in events {
                    let stored = try await store.read { try await $0.events.find(event.id, accountID: nil) } != nil
                    #expect(stored == !refused, "unit \(index): stored \(stored)")
                }
            }
        }
    }

    // One unit of work breaks the shared transaction (as a full disk would): whatever was to
    // commit with it fails, and whatever returned was stored. SQLite only: on PostgreSQL each
    // unit of work has its own transaction, and one that ends it itself has only itself to
    // blame (no SimGate code does).
    @Test("a unit of work that ends the shared SQLite transaction fails those committing with it, never those that returned")
    func brokenTransaction() async throws {
        try await TestDatabase.with(.sqlite) { database in
            let outcomes = try await Self.outcomes(database.store, units: 200) { index, event, tx in
                try await tx.events.append([event])
                if index % 50 == 25 { try await tx.db.raw("ROLLBACK").run() }
            }
            for (index, outcome) in outcomes.enumerated() {
                #expect(outcome.stored == outcome.returned, "unit \(index) returned \(outcome.returned) but stored \(outcome.stored)")
                if index % 50 == 25 { #expect(!outcome.returned, "unit \(index) ended the transaction yet returned") }
            }
            #expect(outcomes.contains { $0.returned }, "no unit of work got through at all")
            // The store still works afterwards.
            let after = Fixtures.systemEvent(IdentifierGenerator(clock: SystemWallClock()))
            try await database.store.transaction { try await $0.events.append([after]) }
            #expect(try await database.store.read { try await $0.events.find(after.id, accountID: nil) } != nil)
        }
    }

    // Units of work queued behind one that holds the writer join its group in order: 0, A, B,
    // C. What 0 keeps is A's to read; A is rolled back, so what it kept (perhaps endpoints it
    // made and then undid) must be gone for B; what B keeps is C's to read.
    @Test("what a unit of work keeps for its SQLite group is read by the units after it, and forgotten when it is rolled back")
    func groupMemo() async throws {
        try await TestDatabase.with(.sqlite) { database in
            let store = database.store
            let held = await HeldWriter.start(database, keeping: "kept", "by 0")
            func queued(_ count: Int) async throws { try await held.waitUntilQueued(count) }
            let a = Task {
                try await store.transaction { tx in
                    let seen = try await tx.remembered("kept") { "by A" }
                    _ = try await tx.remembered("undone") { "by A" }
                    return seen
                }
            }
            try await queued(1)
            let aFails = Task {
                try await store.transaction { tx -> String in
                    _ = try await tx.remembered("undone by A2") { "by A2" }
                    throw Refused()
                }
            }
            try await queued(2)
            let b = Task {
                try await store.transaction { tx in
                    (try await tx.remembered("undone by A2") { "by B" }, try await tx.remembered("shared") { "by B" })
                }
            }
            try await queued(3)
            let c = Task { try await store.transaction { tx in try await tx.remembered("shared") { "by C" } } }
            try await queued(4)
            try await held.release()
            #expect(try await a.value == "by 0")
            await #expect(throws: Refused.self) { try await aFails.value }
            let (afterRollback, shared) = try await b.value
            #expect(afterRollback == "by B", "a rolled-back unit's memo was used by the next one")
            #expect(shared == "by B")
            #expect(try await c.value == "by B", "the group's later unit read again what an earlier one kept")
        }
    }

    // Units queued behind one that holds the writer join its group until it is full; the
    // next one starts a group of its own, which the ones after it join. What a unit keeps for
    // its group tells which group each ran in.
    @Test("units of work queued behind one another are committed in groups of at most 16, each later group started by the first unit that did not fit")
    func groupsAreBounded() async throws {
        try await TestDatabase.with(.sqlite) { database in
            let largest = 16  // As README says; see SQLiteGroupCommit.largestGroup for why.
            let held = await HeldWriter.start(database, keeping: "group", "started by 0")
            let queuedUnits = 2 * largest + 3
            var units: [Task<String, any Error>] = []
            for index in 1...queuedUnits {
                units.append(Task { try await database.store.transaction { tx in try await tx.remembered("group") { "started by \(index)" } } })
                // One at a time, so that they queue in this order.
                try await held.waitUntilQueued(index)
            }
            try await held.release()
            var seen: [String] = []
            for unit in units { seen.append(try await unit.value) }
            let expected = (1...queuedUnits).map { index in "started by \(index / largest * largest)" }
            #expect(seen == expected)
        }
    }
}

extension GroupCommitTests {
    // The unit that begins a SQLite group runs without a savepoint: when it throws, the whole
    // transaction is rolled back, and the units queued behind it must begin another and commit.
    @Test("the unit of work that began a SQLite transaction throws while others wait for it: its work is undone, theirs is stored")
    func firstOfGroupThrows() async throws {
        try await TestDatabase.with(.sqlite) { database in
            let ids = IdentifierGenerator(clock: SystemWallClock())
            let first = Fixtures.systemEvent(ids)
            let held = await HeldWriter.start(database, keeping: "kept", "by the first", writing: first, thenThrowing: true)
            let later = (0..<3).map { _ in Fixtures.systemEvent(ids) }
            var units: [Task<String, any Error>] = []
            for (index, event) in later.enumerated() {
                units.append(Task {
                    try await database.store.transaction { tx in
                        try await tx.events.append([event])
                        return try await tx.remembered("kept") { "by \(index)" }
                    }
                })
                try await held.waitUntilQueued(index + 1)
            }
            await #expect(throws: Refused.self) { try await held.release() }
            // They ran in a transaction of their own: what the first kept went with it.
            var kept: [String] = []
            for unit in units { kept.append(try await unit.value) }
            #expect(kept == ["by 0", "by 0", "by 0"])
            #expect(try await database.store.read { try await $0.events.find(first.id, accountID: nil) } == nil, "the first unit's work was kept")
            for event in later {
                #expect(try await database.store.read { try await $0.events.find(event.id, accountID: nil) } != nil, "a unit queued behind it was lost")
            }
        }
    }
}

extension GroupCommitTests {
    // A unit of work that ends the transaction it began and begins another is not stored, even
    // though a transaction is open when it returns.
    @Test("a unit of work that ends the SQLite transaction it began and begins another fails, and none of its work is stored")
    func firstEndsItsTransaction() async throws {
        try await TestDatabase.with(.sqlite) { database in
            let ids = IdentifierGenerator(clock: SystemWallClock())
            let (before, after) = (Fixtures.systemEvent(ids), Fixtures.systemEvent(ids))
            await #expect(throws: StoreError.self) {
                try await database.store.transaction { tx in
                    try await tx.events.append([before])
                    try await tx.db.raw("ROLLBACK").run()
                    try await tx.db.raw("BEGIN IMMEDIATE").run()
                    try await tx.events.append([after])
                }
            }
            for event in [before, after] {
                #expect(try await database.store.read { try await $0.events.find(event.id, accountID: nil) } == nil, "\(event.id) was stored")
            }
            // The store still works afterwards.
            let next = Fixtures.systemEvent(ids)
            try await database.store.transaction { try await $0.events.append([next]) }
            #expect(try await database.store.read { try await $0.events.find(next.id, accountID: nil) } != nil)
        }
    }
}

/// A unit of work that holds SQLite's writer, having kept a value for its group, until
/// released; units of work started meanwhile queue behind it and join its group in turn.
private struct HeldWriter {
    let database: SimGateDatabase
    let holder: Task<Void, any Error>
    let releaseHolder: AsyncStream<Void>.Continuation

    /// Starts the holder, keeping `value` under `key` (and appending `event`, if given), and
    /// returns once it holds the writer. With `thenThrowing`, it throws once released.
    static func start(
        _ database: SimGateDatabase, keeping key: String, _ value: String, writing event: Event? = nil, thenThrowing: Bool = false
    ) async -> HeldWriter {
        let (entered, enteredContinuation) = AsyncStream<Void>.makeStream()
        let (released, releaseContinuation) = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await database.store.transaction { tx in
                _ = try await tx.remembered(key) { value }
                if let event { try await tx.events.append([event]) }
                enteredContinuation.yield()
                for await _ in released { break }
                if thenThrowing { throw GroupCommitTests.Refused() }
            }
        }
        for await _ in entered { break }
        return HeldWriter(database: database, holder: holder, releaseHolder: releaseContinuation)
    }

    /// Waits, at most 10 seconds, until `count` units of work wait for the writer.
    func waitUntilQueued(_ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while database.writesWaiting < count, ContinuousClock.now < deadline { await Task.yield() }
        try #require(database.writesWaiting == count, "the units of work did not queue for the writer")
    }

    /// Lets the holder finish, and waits until it has.
    func release() async throws {
        releaseHolder.yield()
        try await holder.value
    }
}
