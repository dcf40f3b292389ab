import Foundation
import SQLKit
import SimGateCore
import SimGateTestSupport
import Testing
@testable import SimGateStore

/// Migration 26: the ids of records imported from CSV files move from one namespace for every
/// account to the account each record counts for, so a file imported before is still
/// recognised when imported again.
@Suite("CSV usage ids by account (migration 26)")
struct UsageImportKeysMigrationTests {
    @Test("a CSV record's key moves to its record's account; a key whose record is gone, and the API's keys, stay as they were", arguments: TestEngine.available)
    func upgrade(engine: TestEngine) async throws {
        let database = try SimGateDatabase(try await TestDatabase.freshConfiguration(engine), logger: TestDatabase.logger)
        try await database.withRunning {
            let migrator = Migrator(database: database, logger: TestDatabase.logger)
            try await migrator.migrate(upTo: 25)
            let now = Date(epochMilliseconds: 1_796_083_200_000)
            let sim = Sim(
                id: SimID(trusted: "sim_keys"), iccid: ICCID(trusted: Fixtures.iccid(1)), imsi: IMSI(trusted: Fixtures.imsi(1)),
                msisdn: nil, eid: nil, serialNumber: nil, statusChangedAt: now, statusCause: ChangeCause(actor: ChangeActor(.system, id: "test")),
                createdAt: now, updatedAt: now
            )
            try await database.store.transaction { tx in try await tx.sims.insert([sim]) }
            let ended = now.epochMilliseconds
            // (record, account, source, sender): written as the schema before the upgrade stored them.
            let records: [(String, String?, String, String)] = [
                ("usg_a", "acct_a", "csv", "csv:c1"), ("usg_s", nil, "csv", "csv:c2"), ("usg_api", "acct_a", "api", "acct_a:c1"),
            ]
            try await database.sqlTransaction { db in
                for (id, account, source, sender) in records {
                    try await db.raw("""
                        INSERT INTO usage_records (id, sim_id, account_id, source, sender_id, started_at, ended_at, bytes_up, bytes_down, country, rat, created_at)
                        VALUES (\(bind: id), \(bind: sim.id.rawValue), \(bind: account), \(bind: source), \(bind: sender), \(bind: ended - 60_000),
                                \(bind: ended), 1, 2, 'DE', 'LTE', \(bind: ended))
                        """).run()
                    try await db.raw("""
                        INSERT INTO usage_sender_keys (source, sender_id, record_id, ended_at) VALUES (\(bind: source), \(bind: sender), \(bind: id), \(bind: ended))
                        """).run()
                }
                // A key whose record's month was dropped by retention.
                try await db.raw("INSERT INTO usage_sender_keys (source, sender_id, record_id, ended_at) VALUES ('csv', 'csv:gone', 'usg_gone', 1)").run()
            }

            #expect(try await migrator.migrate() == [26, 27])

            let keys = try await database.sqlRead { db in
                try await db.raw("SELECT source, sender_id FROM usage_sender_keys ORDER BY source, sender_id").all().map {
                    "\(try $0.decode(column: "source", as: String.self)) \(try $0.decode(column: "sender_id", as: String.self))"
                }
            }
            #expect(keys == ["api acct_a:c1", "csv acct_a:c1", "csv csv:gone", "csv stock:c2"])
        }
    }
}
