import Foundation
import SimGateCore
import SimGateStore
import SimGateTestSupport
import Testing

@Suite("Frozen statement storage")
struct StatementStoreTests {
    @Test("only the freeze whose summary is stored keeps lines: a loser's and a crashed freeze's are removed, the winner's never", arguments: TestEngine.available)
    func freezesNeverMix(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let clock = ManualWallClock()
            let account = Account(id: IdentifierGenerator(clock: clock).make(), name: "E-Bikes", role: .customer, createdAt: clock.now())
            let month = try #require(BillingMonth("2026-11"))
            let lines = { (freeze: String) in (0..<3).map { FrozenLine(id: "sim_\($0):1", body: "{\"freeze\":\"\(freeze)\"}", csvRow: freeze) } }
            try await database.store.transaction { tx in
                try await tx.accounts.insert(account)
                // A freeze that crashed after writing its lines, one that wins, and one that loses.
                for freeze in ["crashed", "winner", "loser"] { try await tx.statements.insertLines(lines(freeze), accountID: account.id, month: month, freezeID: freeze) }
            }
            let won = try await database.store.transaction { tx in
                let stored = try await tx.statements.freeze(accountID: account.id, month: month, freezeID: "winner", summary: "{}", at: clock.now())
                try await tx.statements.deleteLines(accountID: account.id, month: month, otherThan: "winner")
                return stored
            }
            let lost = try await database.store.transaction { tx in
                try await tx.statements.freeze(accountID: account.id, month: month, freezeID: "loser", summary: "{\"other\":1}", at: clock.now())
            }
            #expect(won && !lost)
            // A winner that hears of an error after its commit must not remove its own lines.
            try await database.store.transaction { tx in try await tx.statements.deleteLines(accountID: account.id, month: month, freezeID: "winner") }

            let frozen = try #require(try await database.store.read { try await $0.statements.frozen(accountID: account.id, month: month) })
            #expect(frozen.freezeID == "winner" && frozen.summary == "{}")
            let kept = try await database.store.read { try await $0.statements.lines(of: frozen, accountID: account.id, month: month, after: nil, limit: 10) }
            #expect(kept.map(\.csvRow) == ["winner", "winner", "winner"])
            let all = try await database.sqlRead { try await $0.raw("SELECT freeze_id FROM statement_lines").all() }
            #expect(all.count == 3)
        }
    }
}
