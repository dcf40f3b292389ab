import Foundation
import SQLKit
import SimGateCore
import SimGateTestSupport
import Testing
@testable import SimGateStore

/// Migration 19: totals learn when their latest record ended, and the records lose their
/// index by SIM (and, on SQLite, the sender key the records table no longer needs).
@Suite("Usage last-data times (migration 19)")
struct UsageLastDataMigrationTests {
    private static let account = AccountID(trusted: "acct_lastdata")
    /// The last millisecond of November and the first of December (UTC): another day and month.
    private static let endOfNovember = Date(epochMilliseconds: 1_796_083_199_999)
    private static let startOfDecember = Date(epochMilliseconds: 1_796_083_200_000)

    private static func sim(at time: Date) -> Sim {
        Sim(
            id: SimID(trusted: "sim_lastdata"), iccid: ICCID(trusted: Fixtures.iccid(1)), imsi: IMSI(trusted: Fixtures.imsi(1)),
            msisdn: nil, eid: nil, serialNumber: nil, statusChangedAt: time, statusCause: ChangeCause(actor: ChangeActor(.system, id: "test")),
            createdAt: time, updatedAt: time
        )
    }

    @Test("totals stored before the upgrade get the end of their latest record, per owner, country and UTC period; records stay, and resends are still refused", arguments: TestEngine.available)
    func upgrade(engine: TestEngine) async throws {
        #expect(UTCTimeText.day(Self.endOfNovember) == "2026-11-30" && UTCTimeText.day(Self.startOfDecember) == "2026-12-01")
        let database = try SimGateDatabase(try await TestDatabase.freshConfiguration(engine), logger: TestDatabase.logger)
        try await database.withRunning {
            let migrator = Migrator(database: database, logger: TestDatabase.logger)
            try await migrator.migrate(upTo: 18)
            let sim = Self.sim(at: Self.endOfNovember)
            try await database.store.transaction { tx in try await tx.sims.insert([sim]) }
            let hour: Int64 = 3_600_000
            let november = Self.endOfNovember.epochMilliseconds, december = Self.startOfDecember.epochMilliseconds
            // (id, account, country, sender, ended at): written as the schema before the upgrade stored them.
            let records: [(String, String?, String?, String?, Int64)] = [
                ("usg_1", Self.account.rawValue, "DE", "cdr-1", november - 5 * hour),
                ("usg_2", Self.account.rawValue, "DE", nil, november),
                ("usg_3", Self.account.rawValue, "AT", "cdr-3", december + 2 * hour),
                ("usg_4", Self.account.rawValue, "AT", nil, december),
                ("usg_5", nil, "DE", nil, november + 1),
            ]
            // (account, period, granularity, country); the last has no records (they were dropped).
            let totals: [(String, String, String, String)] = [
                (Self.account.rawValue, "2026-11-30", "day", "DE"), (Self.account.rawValue, "2026-11", "month", "DE"),
                (Self.account.rawValue, "2026-12-01", "day", "AT"), (Self.account.rawValue, "2026-12", "month", "AT"),
                ("", "2026-12-01", "day", "DE"), ("", "2026-12", "month", "DE"),
                (Self.account.rawValue, "2026-10", "month", "DE"),
            ]
            try await database.sqlTransaction { db in
                for (id, account, country, sender, endedAt) in records {
                    try await db.raw("""
                        INSERT INTO usage_records (id, sim_id, account_id, source, sender_id, started_at, ended_at, bytes_up, bytes_down, country, rat, created_at)
                        VALUES (\(bind: id), \(bind: sim.id.rawValue), \(bind: account), 'cdr', \(bind: sender), \(bind: endedAt - 60_000),
                                \(bind: endedAt), 1, 2, \(bind: country), 'LTE', \(bind: endedAt))
                        """).run()
                    if let sender {
                        try await db.raw("""
                            INSERT INTO usage_sender_keys (source, sender_id, record_id, ended_at) VALUES ('cdr', \(bind: sender), \(bind: id), \(bind: endedAt))
                            """).run()
                    }
                }
                for (account, period, granularity, country) in totals {
                    try await db.raw("""
                        INSERT INTO usage_totals (sim_id, account_id, period, granularity, country, bytes_up, bytes_down)
                        VALUES (\(bind: sim.id.rawValue), \(bind: account), \(bind: period), \(bind: granularity), \(bind: country), 1, 2)
                        """).run()
                }
            }

            #expect(try await migrator.migrate() == Array(19...Schema.migrations.count))

            let lastData = try await database.sqlRead { db in
                var found: [String: Int64?] = [:]
                for row in try await db.raw("SELECT account_id, period, country, last_data_at FROM usage_totals").all() {
                    let key = "\(try row.decode(column: "account_id", as: String.self))/\(try row.decode(column: "period", as: String.self))/\(try row.decode(column: "country", as: String.self))"
                    found[key] = try row.decode(column: "last_data_at", as: Int64?.self)
                }
                return found
            }
            let a = Self.account.rawValue
            #expect(lastData == [
                "\(a)/2026-11-30/DE": november, "\(a)/2026-11/DE": november,
                "\(a)/2026-12-01/AT": december + 2 * hour, "\(a)/2026-12/AT": december + 2 * hour,
                "/2026-12-01/DE": november + 1, "/2026-12/DE": november + 1,
                "\(a)/2026-10/DE": Int64?.none,
            ])
            let found = try await database.store.read { try await $0.usage.lastDataAt(sims: [sim.id], account: Self.account) }
            #expect(found == [sim.id: Date(epochMilliseconds: december + 2 * hour)])

            // Every record is still there, whole; the only index left is the primary key's.
            let stored = try await database.sqlRead { db in
                try await db.raw("SELECT id, account_id, country, sender_id, rat, bytes_down FROM usage_records ORDER BY id").all().map { row in
                    "\(try row.decode(column: "id", as: String.self)) \(try row.decode(column: "account_id", as: String?.self) ?? "-") \(try row.decode(column: "country", as: String.self)) \(try row.decode(column: "sender_id", as: String?.self) ?? "-") \(try row.decode(column: "rat", as: String.self)) \(try row.decode(column: "bytes_down", as: Int64.self))"
                }
            }
            #expect(stored == [
                "usg_1 \(a) DE cdr-1 LTE 2", "usg_2 \(a) DE - LTE 2", "usg_3 \(a) AT cdr-3 LTE 2", "usg_4 \(a) AT - LTE 2", "usg_5 - DE - LTE 2",
            ])
            let indexes = try await database.sqlRead { db in
                let sql = engine == .postgres
                    ? "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'usage_records' AND schemaname = current_schema()"
                    : "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'usage_records'"
                return try await db.raw(SQLQueryString(sql)).all().map { try $0.decode(column: "name", as: String.self) }
            }
            #expect(indexes == [engine == .postgres ? "usage_records_by_id" : "sqlite_autoindex_usage_records_1"])
            if engine == .sqlite {
                // The table it replaced is dropped once the migration has committed.
                let tables = try await database.sqlRead { db in
                    try await db.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'usage_records%'").all()
                        .map { try $0.decode(column: "name", as: String.self) }
                }
                #expect(tables == ["usage_records"])
                // A start cut short between the commit and the drop leaves the old table; the
                // next start drops it.
                try await database.sqlRead { db in try await db.raw("CREATE TABLE usage_records_replaced (id TEXT)").run() }
                #expect(try await migrator.migrate().isEmpty)
                let afterRestart = try await database.sqlRead { db in
                    try await db.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'usage_records%'").all()
                        .map { try $0.decode(column: "name", as: String.self) }
                }
                #expect(afterRestart == ["usage_records"])
            }

            // A resend of a record stored before the upgrade adds nothing; new usage moves the time on.
            let resend = UsageRecord(
                id: "usg_again", simID: sim.id, accountID: Self.account, source: "cdr", senderID: "cdr-3", sessionID: nil,
                startedAt: Self.startOfDecember, endedAt: Self.startOfDecember + 9_000, bytesUp: 0, bytesDown: 7, mccMNC: nil, country: "AT", imei: nil
            )
            let later = UsageRecord(
                id: "usg_later", simID: sim.id, accountID: Self.account, source: "cdr", senderID: nil, sessionID: nil,
                startedAt: Self.startOfDecember, endedAt: Self.startOfDecember + 10_000, bytesUp: 0, bytesDown: 7, mccMNC: nil, country: "DE", imei: nil
            )
            let outcome = try await database.store.transaction { tx in try await tx.usage.insert([resend, later], now: Self.startOfDecember) }
            #expect(outcome.inserted == ["usg_later"])
            let moved = try await database.store.read { try await $0.usage.lastDataAt(sims: [sim.id], account: Self.account) }
            #expect(moved == [sim.id: Self.startOfDecember + 10_000])
        }
    }
}
