import Foundation
import SimGateCore
import SimGateStore
import SimGateTestSupport
import Testing

@Suite("SIM storage")
struct SimStoreTests {
    static func makeSim(_ n: Int, ids: IdentifierGenerator, at time: Date, labels: [String] = []) throws -> Sim {
        Sim(
            id: ids.make(), iccid: try ICCID(Fixtures.iccid(n)), imsi: try IMSI(Fixtures.imsi(n)),
            msisdn: try MSISDN(Fixtures.msisdn(n)), eid: nil, serialNumber: nil, labels: try SimLabels(labels),
            metadata: try SimMetadata(["n": "\(n)"]), statusChangedAt: time,
            statusCause: ChangeCause(actor: ChangeActor(.system, id: "test")), createdAt: time, updatedAt: time
        )
    }

    @Test("a SIM with labels, metadata and holds reads back exactly as written", arguments: TestEngine.available)
    func roundTrip(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let clock = ManualWallClock()
            let ids = IdentifierGenerator(clock: clock)
            var sim = try Self.makeSim(1, ids: ids, at: clock.now(), labels: ["fleet-a", "beta"])
            try await database.store.transaction { try await $0.sims.insert([sim]) }

            let previous = sim
            clock.advance(by: 60)
            let cause = ChangeCause(actor: .apiKey(ids.make()), reason: "lost bike")
            sim.state = try SimLifecycle.apply(.activate(force: false), to: sim.state, at: clock.now(), cause: cause).state
            sim.state = try SimLifecycle.apply(.suspend(), to: sim.state, at: clock.now(), cause: cause).state
            sim.labels = try SimLabels(["fleet-b"])
            sim.imei = try IMEI(Fixtures.imei(7))
            sim.updatedAt = clock.now()
            try await database.store.transaction { try await $0.sims.save(sim, previous: previous) }

            let read = try await database.store.read { try await $0.sims.find(sim.id, accountID: nil) }
            #expect(read == sim)
            let byLabel = try await database.store.read { try await $0.sims.list(SimFilter(label: "fleet-b"), PageRequest()) }
            #expect(byLabel.items.map(\.id) == [sim.id])
            let oldLabel = try await database.store.read { try await $0.sims.list(SimFilter(label: "fleet-a"), PageRequest()) }
            #expect(oldLabel.items.isEmpty)
        }
    }

    @Test("a save writes only what changed: a field cleared to nothing is cleared, the others read back as they were", arguments: TestEngine.available)
    func saveWritesChangesOnly(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let clock = ManualWallClock()
            let ids = IdentifierGenerator(clock: clock)
            var sim = try Self.makeSim(1, ids: ids, at: clock.now(), labels: ["fleet-a"])
            sim.imei = try IMEI(Fixtures.imei(3))
            try await database.store.transaction { try await $0.sims.insert([sim]) }

            // The IMEI goes (NULL is written over a value), the MSISDN changes, the rest stays.
            let previous = sim
            clock.advance(by: 60)
            sim.imei = nil
            sim.msisdn = try MSISDN(Fixtures.msisdn(9))
            sim.updatedAt = clock.now()
            try await database.store.transaction { try await $0.sims.save(sim, previous: previous) }
            #expect(try await database.store.read { try await $0.sims.find(sim.id, accountID: nil) } == sim)

            // Nothing changed: nothing is written, and the SIM reads back the same.
            try await database.store.transaction { try await $0.sims.save(sim, previous: sim) }
            #expect(try await database.store.read { try await $0.sims.find(sim.id, accountID: nil) } == sim)
        }
    }

    @Test("a SIM that is LIVE yet has a hold is refused, since reads skip a LIVE SIM's holds; a LIVE SIM and an OFFLINE one with a hold read back", arguments: TestEngine.available)
    func liveWithHoldsRefused(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let clock = ManualWallClock()
            let ids = IdentifierGenerator(clock: clock)
            let cause = ChangeCause(actor: ChangeActor(.system, id: "test"))
            var live = try Self.makeSim(1, ids: ids, at: clock.now())
            live.state = try SimLifecycle.apply(.activate(force: false), to: live.state, at: clock.now(), cause: cause).state
            var held = try Self.makeSim(2, ids: ids, at: clock.now())
            held.state = try SimLifecycle.apply(.activate(force: false), to: held.state, at: clock.now(), cause: cause).state
            held.state = try SimLifecycle.apply(.suspend(), to: held.state, at: clock.now(), cause: cause).state
            try await database.store.transaction { try await $0.sims.insert([live, held]) }
            #expect(try await database.store.read { try await $0.sims.find(live.id, accountID: nil) } == live)
            #expect(try await database.store.read { try await $0.sims.find(held.id, accountID: nil) } == held)

            // Written by hand, not through the lifecycle: LIVE with the suspended SIM's hold.
            var wrong = try Self.makeSim(3, ids: ids, at: clock.now())
            wrong.state = SimState(status: .live, holds: held.state.holds)
            await #expect(throws: StoreError.self) { try await database.store.transaction { try await $0.sims.insert([wrong]) } }
            var changed = live
            changed.state = SimState(status: .live, holds: held.state.holds)
            await #expect(throws: StoreError.self) { try await database.store.transaction { try await $0.sims.save(changed, previous: live) } }
            #expect(try await database.store.read { try await $0.sims.find(wrong.id, accountID: nil) } == nil)
            #expect(try await database.store.read { try await $0.sims.find(live.id, accountID: nil) } == live)
        }
    }

    @Test("a failing transaction leaves nothing behind", arguments: TestEngine.available)
    func rollback(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let ids = IdentifierGenerator(clock: SystemWallClock())
            let sim = try Self.makeSim(1, ids: ids, at: Date())
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await database.store.transaction { tx in
                    try await tx.sims.insert([sim])
                    throw Boom()
                }
            }
            let found = try await database.store.read { try await $0.sims.find(sim.id, accountID: nil) }
            #expect(found == nil)
        }
    }

    @Test("paging newest first visits every SIM once while new SIMs keep arriving", arguments: TestEngine.available)
    func paginationOverInserts(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let ids = IdentifierGenerator(clock: SystemWallClock())
            let initial = try (0..<45).map { try Self.makeSim($0, ids: ids, at: Date()) }
            try await database.store.transaction { try await $0.sims.insert(initial) }

            var seen: [SimID] = []
            var cursor: String? = nil
            var extra = 1_000
            repeat {
                let page = try await database.store.read { try await $0.sims.list(SimFilter(), PageRequest(limit: 10, startingAfter: cursor)) }
                seen += page.items.map(\.id)
                cursor = page.hasMore ? page.items.last?.id.rawValue : nil
                // Arrivals between pages are newer than every cursor, so they never appear later in this walk.
                let arrival = try Self.makeSim(extra, ids: ids, at: Date())
                extra += 1
                try await database.store.transaction { try await $0.sims.insert([arrival]) }
            } while cursor != nil

            #expect(seen.count == 45)
            #expect(Set(seen) == Set(initial.map(\.id)))
            #expect(seen == seen.sorted(by: >))
        }
    }

    @Test("ending_before pages backwards in the same newest-first order", arguments: TestEngine.available)
    func backwardPaging(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let ids = IdentifierGenerator(clock: SystemWallClock())
            let sims = try (0..<12).map { try Self.makeSim($0, ids: ids, at: Date()) }
            try await database.store.transaction { try await $0.sims.insert(sims) }
            let newestFirst = sims.map(\.id).reversed() as [SimID]
            let page = try await database.store.read {
                try await $0.sims.list(SimFilter(), PageRequest(limit: 3, endingBefore: newestFirst[6].rawValue))
            }
            #expect(page.items.map(\.id) == Array(newestFirst[3..<6]))
            #expect(page.hasMore)
        }
    }
}
