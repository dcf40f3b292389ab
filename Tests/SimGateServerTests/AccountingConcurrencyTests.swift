import Foundation
@testable import SimGateServer
import Logging
import SimGateCore
import SimGateRADIUS
import SimGateStore
import SimGateTestSupport
import Testing

@Suite("Accounting shared by several instances")
struct AccountingConcurrencyTests {
    /// Two transactions take the first two reports of a brand-new session at once, as two
    /// SimGate instances on one PostgreSQL would. The session's bytes must count once: the
    /// later report adds only what the earlier one did not. (What guarantees it is the lock on
    /// the SIM's row; without it this test counts 2,500 bytes on PostgreSQL.)
    @Test("the first reports of a new session, written at once by two transactions, count once", arguments: TestEngine.available)
    func newSessionCountsOnce(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let ledger = try await LedgerFixture.importing([1], into: database).ledger
            let ids = IdentifierGenerator(clock: SystemWallClock())
            func report(_ input: UInt32) -> AccountingReport {
                LedgerFixture.report(.interimUpdate, session: "fresh", imsi: Fixtures.imsi(1), inputOctets: input)
            }
            for _ in 0..<5 {
                // A new session each round, so both writers race to create it.
                try await database.sqlTransaction { db in _ = try await db.raw("DELETE FROM radius_sessions").run() }
                try await database.sqlTransaction { db in _ = try await db.raw("DELETE FROM usage_records").run() }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for input: UInt32 in [1_000, 1_500] {
                        group.addTask {
                            try await database.sqlTransaction { db in
                                // Both transactions begin before either reads the session (SQLite
                                // runs them one after the other whatever happens).
                                if db.dialect.name == "postgresql" { _ = try await db.raw("SELECT pg_sleep(0.1)").run() }
                                try await ledger.apply([report(input)], in: StoreTransaction(db: db, ids: ids))
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                let stored = try await database.sqlRead { db in
                    try await db.raw("SELECT CAST(COALESCE(SUM(bytes_up), 0) AS BIGINT) AS total FROM usage_records").first()?.decode(column: "total", as: Int64.self)
                }
                #expect(stored == 1_500)
            }
        }
    }
}
