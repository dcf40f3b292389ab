import Foundation
import Logging
import ServiceLifecycle
import SimGateCore
@testable import SimGateServer
import SimGateStore
import SimGateTestSupport
import Synchronization
import Testing

/// A batch whose transaction fails is rolled back whole and its reports are written again one
/// by one, so that one report the store cannot take does not cost the others their answers.
@Suite("Accounting batch that fails", .timeLimit(.minutes(1)))
struct AccountingBatchRetryTests {
    struct Refused: Error {}

    /// Three reports share the first batch. The batch is written by the real ledger and then
    /// fails, because one of its reports ("refused") always fails, wherever it is written. The
    /// batch leaves nothing behind; written again alone, the two others are stored once each
    /// and answered as stored, and the refused one is answered as not stored and leaves nothing.
    @Test("a failed batch is rolled back, then its reports are written one by one and each answered once", arguments: TestEngine.available)
    func retriedOneByOne(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let ledger = try await LedgerFixture.importing([1, 2, 3], into: database).ledger
            let attempts = Mutex<[[String]]>([])
            let batcher = AccountingBatcher(
                store: database.store, metrics: RADIUSMetrics(), logger: Logger(label: "test")
            ) { reports, tx in
                let sessions = reports.map { $0.sessionID ?? "-" }
                attempts.withLock { $0.append(sessions) }
                // Written first, so that the failure has something to roll back.
                try await ledger.apply(reports, in: tx)
                if sessions.contains("refused") { throw Refused() }
            }
            let group = ServiceGroup(configuration: .init(services: [batcher], gracefulShutdownSignals: [], logger: Logger(label: "test")))
            let (answers, answer) = AsyncStream.makeStream(of: (String, Bool).self)
            // Taken before the batcher runs, so that its first batch holds all three.
            for (session, sim) in [("stored-1", 1), ("refused", 2), ("stored-3", 3)] {
                batcher.take(LedgerFixture.report(.interimUpdate, session: session, imsi: Fixtures.imsi(sim), inputOctets: 100)) { result in
                    if case .success = result { answer.yield((session, true)) } else { answer.yield((session, false)) }
                }
            }
            var answered: [String: Bool] = [:]
            var answerCount = 0
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                for await (session, stored) in answers {
                    answered[session] = stored
                    answerCount += 1
                    if answerCount == 3 { break }
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            // Each answered once, after the whole batch and then each of its reports was tried.
            answer.finish()
            for await (session, _) in answers { Issue.record("\(session) was answered more than once") }
            #expect(answered == ["stored-1": true, "refused": false, "stored-3": true])
            #expect(attempts.withLock { $0 } == [["stored-1", "refused", "stored-3"], ["stored-1"], ["refused"], ["stored-3"]])

            let found = try await database.store.read { store in
                var found: [DataSession?] = []
                for session in ["stored-1", "refused", "stored-3"] {
                    found.append(try await store.sessions.session(SessionKey(nas: "pgw-1", sessionID: session)))
                }
                return found
            }
            #expect(found[1] == nil, "the refused report's session was kept although its transactions failed")
            for session in [found[0], found[2]] {
                let simID = try #require(session, "a report written alone was not stored").simID
                let months = try await database.store.read { store in
                    try await store.usage.totals(UsageTotalsQuery(scope: .sim(simID), months: true, from: "0000-00", to: "9999-99"))
                }
                // Once: the failed batch's first write of it left nothing behind.
                #expect(months.map(\.up).reduce(0, +) == 100)
            }
        }
    }
}
