import Foundation
@testable import SimGateServer
import Logging
import SimGateCore
import SimGateRADIUS
import ServiceLifecycle
import SimGateStore
import SimGateTestSupport
import Synchronization
import Testing

/// Which reports share a batch depends on how they arrive while the previous batch commits,
/// so these tests give the ledger one batch directly, on a real database, as the batcher does.
@Suite("Accounting batches applied in arrival order")
struct AccountingBatchOrderTests {
    /// A gateway's Start, then its Accounting-On, then another Start, all in one batch: the
    /// restart ends the session begun before it, and not the one begun after. (Applied
    /// Accounting-On first, the batch left the first session open for good.)
    @Test("an Accounting-On ends the sessions its batch opened before it, not those after", arguments: TestEngine.available)
    func accountingOnInBatchOrder(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let ledger = try await LedgerFixture.importing([1, 2], into: database).ledger
            func report(_ status: AccountingStatusType, session: String, imsi: String) -> AccountingReport {
                LedgerFixture.report(status, session: session, imsi: imsi)
            }
            try await database.store.transaction { tx in
                try await ledger.apply([
                    report(.start, session: "before", imsi: Fixtures.imsi(1)),
                    report(.accountingOn, session: "restart", imsi: Fixtures.imsi(1)),
                    report(.start, session: "after", imsi: Fixtures.imsi(2)),
                ], in: tx)
            }
            let (before, after) = try await database.store.read { store in
                (try await store.sessions.session(SessionKey(nas: "pgw-1", sessionID: "before")),
                 try await store.sessions.session(SessionKey(nas: "pgw-1", sessionID: "after")))
            }
            #expect(try #require(before).stoppedAt != nil, "the session begun before the restart is still open")
            #expect(try #require(after).stoppedAt == nil, "the session begun after the restart was stopped")
            let stops = try await database.store.read { try await $0.events.list(EventFilter(types: [.simSessionStopped]), PageRequest()) }.items
            #expect(stops.map(\.cause.reason) == ["Accounting-On: the gateway restarted: session before"])
            // In the stream, in the order it happened: the restart's stop before the later start.
            let sessionEvents = try await database.store.read {
                try await $0.events.list(EventFilter(types: [.simSessionStarted, .simSessionStopped]), PageRequest())
            }.items.sorted { $0.id.rawValue < $1.id.rawValue }
            #expect(sessionEvents.map(\.cause.reason) == [
                "session before", "Accounting-On: the gateway restarted: session before", "session after",
            ])
        }
    }

    /// A report refused as past the total's limit has its bytes taken back out of its session.
    /// When a new session began under the same key later in the batch, they were taken out of
    /// the new one, whose counters fell to zero: its next report counted its bytes again.
    @Test("a refused report's bytes are taken back from its own session, not from one begun under its key later in the batch", arguments: TestEngine.available)
    func takeBackSparesTheNewSession(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            // A fixed time: on the system's clock, a run across a month's end read the wrong total.
            let clock = ManualWallClock()
            let ledger = try await LedgerFixture.importing([1], into: database, clock: clock).ledger
            let now = UInt32(clock.now().timeIntervalSince1970)
            func report(_ status: AccountingStatusType, _ session: String, bytes: UInt64, at time: UInt32? = nil, sessionTime: UInt32? = nil) -> AccountingReport {
                var request = GatewayAccountingRequest(status, nas: .name("pgw-1"), sessionID: session, imsi: Fixtures.imsi(1), inputBytes: bytes)
                request.eventTimestamp = time
                request.sessionTime = sessionTime
                return AccountingReport(request.signed(identifier: 1, secret: Array("s".utf8)), client: RADIUSClient(name: "pgw", address: "127.0.0.1", secret: "s"), sourceIP: "127.0.0.1")
            }
            let nearlyAll = UInt64(Int64.max) - 10_000
            try await database.store.transaction { tx in try await ledger.apply([report(.interimUpdate, "seed", bytes: nearlyAll)], in: tx) }
            try await database.store.transaction { tx in
                try await ledger.apply([
                    report(.interimUpdate, "k", bytes: 20_000),  // refused: past the limit
                    report(.start, "k", bytes: 0, at: now + 60),  // a new session under the key
                    report(.interimUpdate, "k", bytes: 5_000, at: now + 61, sessionTime: 1),
                ], in: tx)
            }
            try await database.store.transaction { tx in
                try await ledger.apply([report(.interimUpdate, "k", bytes: 6_000, at: now + 62, sessionTime: 2)], in: tx)
            }
            let (session, total) = try await database.store.read { store in
                let sim = try #require(try await store.sims.usageRows(imsis: [try IMSI(Fixtures.imsi(1))]).values.first)
                let month = UsageRepository.periods(of: clock.now())[1]
                return (try await store.sessions.session(SessionKey(nas: "pgw-1", sessionID: "k")), try await store.usage.total(simID: sim.id, period: month))
            }
            #expect(session?.counters.inputBytes == 6_000)
            #expect(total.up == nearlyAll + 6_000, "\(UInt64(Int64.max) - total.up) short of the limit")
        }
    }

    /// SIMs in stock are not LIVE, so a session first heard of on one is disconnected. One
    /// that the same batch's Accounting-On has already ended needs nothing: it once got a
    /// disconnect job all the same, which then found no open session to end.
    @Test("a new session on a SIM that is not LIVE is disconnected, unless its gateway's restart in the same batch ended it", arguments: TestEngine.available)
    func noDisconnectForSessionTheBatchEnded(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let ledger = try await LedgerFixture.importing([1, 2], into: database).ledger
            try await database.store.transaction { tx in
                try await ledger.apply([
                    LedgerFixture.report(.start, session: "before", imsi: Fixtures.imsi(1)),
                    LedgerFixture.report(.accountingOn, session: "restart", imsi: Fixtures.imsi(1)),
                    LedgerFixture.report(.start, session: "after", imsi: Fixtures.imsi(2)),
                ], in: tx)
            }
            let after = try #require(try await database.store.read { try await $0.sessions.session(SessionKey(nas: "pgw-1", sessionID: "after")) })
            let jobs = try await JobQueue(database: database, ids: IdentifierGenerator(clock: SystemWallClock())).list(kind: DisconnectJob.kind)
            #expect(jobs.count == 1, "one disconnect, for the session still open")
            #expect(jobs.first?.payload.contains(after.simID.rawValue) == true)
        }
    }
}

@Suite("Accounting taken before start-up finished")
struct AccountingBeforeStartupTests {
    /// Reports that come before migrations are done wait in the batcher; if start-up never
    /// finishes, shutting down answers them with silence (the gateway resends elsewhere) and
    /// writes nothing. (They once waited in tasks of their own that nothing ended, and the
    /// accounting port, waiting for their answers, never stopped.)
    @Test("a report taken before start-up is answered with silence when start-up never finishes, and nothing is written")
    func answeredWhenStartupNeverFinishes() async throws {
        try await TestDatabase.with(.sqlite) { database in
            let ids = IdentifierGenerator(clock: SystemWallClock())
            let writes = Mutex(0)
            let batcher = AccountingBatcher(
                store: Store(database: database, ids: ids), metrics: RADIUSMetrics(), logger: Logger(label: "test"), startup: StartupSignal()
            ) { _, _ in writes.withLock { $0 += 1 } }
            let group = ServiceGroup(configuration: .init(services: [batcher], gracefulShutdownSignals: [], logger: Logger(label: "test")))
            let (outcomes, outcome) = AsyncStream.makeStream(of: Bool.self)
            let report = LedgerFixture.report(.start, session: "early", imsi: Fixtures.imsi(1))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                batcher.take(report) { result in
                    if case .success = result { outcome.yield(true) } else { outcome.yield(false) }
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            var answers: [Bool] = []
            outcome.finish()
            for await stored in outcomes { answers.append(stored) }
            #expect(answers == [false])
            #expect(writes.withLock { $0 } == 0)
        }
    }
}
