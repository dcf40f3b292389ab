import Foundation
import Logging
import SimGateCore
import SimGateTestSupport
import Testing
@testable import SimGateServer
@testable import SimGateStore

/// Usage records by month on PostgreSQL: partitions made ahead, old months dropped whole,
/// totals kept, and a sender's record counted once across months.
@Suite("Usage records partitioned by month")
struct UsagePartitionTests {
    private static let postgres = TestEngine.available.filter { $0 == .postgres }
    private static let day: TimeInterval = 86_400

    private static func sim(_ n: Int, at time: Date) -> Sim {
        Sim(
            id: SimID(trusted: "sim_partition\(n)"), iccid: ICCID(trusted: Fixtures.iccid(n)), imsi: IMSI(trusted: Fixtures.imsi(n)),
            msisdn: nil, eid: nil, serialNumber: nil, statusChangedAt: time, statusCause: ChangeCause(actor: ChangeActor(.system, id: "test")),
            createdAt: time, updatedAt: time
        )
    }

    private static func record(_ id: String, sim: SimID, sender: String?, endedAt: Date, bytes: UInt64) -> UsageRecord {
        UsageRecord(
            id: id, simID: sim, accountID: nil, source: "cdr", senderID: sender, sessionID: nil,
            startedAt: endedAt - 60, endedAt: endedAt, bytesUp: 0, bytesDown: bytes, mccMNC: nil, imei: nil
        )
    }

    /// Stores `sim` and its `records` in one unit of work.
    private static func seed(_ store: Store, sim: Sim, now: Date, records: [UsageRecord]) async throws {
        try await store.transaction { tx in
            try await tx.sims.insert([sim])
            _ = try await tx.usage.insert(records, now: now)
        }
    }

    /// The partition each record is stored in, by record id.
    private static func partitions(_ database: SimGateDatabase) async throws -> [String: String] {
        try await database.sqlRead { db in
            var found: [String: String] = [:]
            for row in try await db.raw("SELECT id, tableoid::regclass::text AS part FROM usage_records").all() {
                found[try row.decode(column: "id", as: String.self)] = try row.decode(column: "part", as: String.self)
            }
            return found
        }
    }

    private static func monthTotal(_ store: Store, _ sim: SimID, _ time: Date) async throws -> UInt64 {
        let period = String(UTCTimeText.rfc3339(epochMilliseconds: time.epochMilliseconds).prefix(7))
        return try await store.read { try await $0.usage.total(simID: sim, period: period) }.down
    }

    @Test("records stored before the upgrade move into their months' partitions (older than two years: the default one), and their sender ids still refuse resends", arguments: postgres)
    func upgrade(engine: TestEngine) async throws {
        let database = try SimGateDatabase(try await TestDatabase.freshConfiguration(engine), logger: TestDatabase.logger)
        try await database.withRunning {
            let migrator = Migrator(database: database, logger: TestDatabase.logger)
            try await migrator.migrate(upTo: 15)
            let now = Date()
            let sim = Self.sim(1, at: now)
            try await database.store.transaction { tx in try await tx.sims.insert([sim]) }
            // Written as the schema before the upgrade stored them.
            try await database.sqlTransaction { db in
                for (id, sender, endedAt) in [
                    ("usg_now", "a", now), ("usg_month_ago", "b", now - 31 * Self.day), ("usg_old", nil, now - 5 * 365 * Self.day),
                ] as [(String, String?, Date)] {
                    try await db.raw("""
                        INSERT INTO usage_records (id, sim_id, source, sender_id, started_at, ended_at, bytes_up, bytes_down, created_at)
                        VALUES (\(bind: id), \(bind: sim.id.rawValue), 'cdr', \(bind: sender), \(bind: endedAt.epochMilliseconds - 60_000),
                                \(bind: endedAt.epochMilliseconds), 0, 1, \(bind: now.epochMilliseconds))
                        """).run()
                }
            }
            // The partitioning first, then whatever came after it.
            #expect(try await migrator.migrate().first == 16)
            let parts = try await Self.partitions(database)
            #expect(parts["usg_now"] == UsagePartitionRepository.Month(containing: now).tableName)
            #expect(parts["usg_month_ago"] == UsagePartitionRepository.Month(containing: now - 31 * Self.day).tableName)
            #expect(parts["usg_old"] == "usage_records_default")
            // Sent again with another end time, in another month: a resend, not new usage.
            let outcome = try await database.store.transaction { tx in
                try await tx.usage.insert([Self.record("usg_again", sim: sim.id, sender: "b", endedAt: now, bytes: 10)], now: now)
            }
            #expect(outcome.inserted.isEmpty)
        }
    }

    @Test("the daily upkeep makes the coming months and drops months past retention whole; totals stay, and a late resend is still refused", arguments: postgres)
    func upkeep(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let store = database.store
            let now = Date()
            let sim = Self.sim(2, at: now)
            let lastMonth = now - 31 * Self.day
            try await Self.seed(store, sim: sim, now: now, records: [
                Self.record("usg_now", sim: sim.id, sender: "now", endedAt: now, bytes: 1),
                // Before the partitions were made: in the default partition.
                Self.record("usg_last_month", sim: sim.id, sender: "last", endedAt: lastMonth, bytes: 10),
            ])
            let later = now + 200 * Self.day
            let logger = Logger(label: "test")
            // Keep the month of `later` and the two before it.
            try await UsagePartitionMaintenance.upkeep(store: store, now: later, retentionMonths: 3, logger: logger)

            let current = UsagePartitionRepository.Month(containing: later)
            let months = try await store.read { try await $0.usagePartitions.months() }
            #expect(months.contains(current) && months.contains(current.adding(1)) && months.contains(current.adding(2)))
            #expect(!months.contains(UsagePartitionRepository.Month(containing: now)), "the month of now is past retention")
            #expect(months.allSatisfy { $0 >= current.adding(-2) })
            #expect(try await Self.partitions(database).isEmpty, "records past retention are gone, from the default partition too")
            // A resend of a dropped record: refused, not counted again.
            let late = try await store.transaction { tx in
                try await tx.usage.insert([Self.record("usg_late", sim: sim.id, sender: "last", endedAt: lastMonth, bytes: 10)], now: later)
            }
            #expect(late.inserted.isEmpty)
            // The totals by month stay.
            #expect(try await Self.monthTotal(store, sim.id, now) == 1)
            #expect(try await Self.monthTotal(store, sim.id, lastMonth) == 10)

            // Records of the kept months land in their partitions.
            _ = try await store.transaction { tx in
                try await tx.usage.insert([Self.record("usg_later", sim: sim.id, sender: "later", endedAt: later, bytes: 5)], now: later)
            }
            #expect(try await Self.partitions(database)["usg_later"] == current.tableName)
            // A second run changes nothing.
            try await UsagePartitionMaintenance.upkeep(store: store, now: later, retentionMonths: 3, logger: logger)
            #expect(try await store.read { try await $0.usagePartitions.months() } == months)
        }
    }

    @Test("a month's drop waits at most a second for a long read of usage, fails without dropping, and drops once the read is over", arguments: postgres)
    func dropGivesWay(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let store = database.store
            let now = Date()
            let sim = Self.sim(3, at: now)
            try await Self.seed(store, sim: sim, now: now, records: [Self.record("usg_held", sim: sim.id, sender: nil, endedAt: now, bytes: 1)])
            let later = now + 200 * Self.day
            let logger = Logger(label: "test")
            // A read of usage that stays open (a long report, say) until told to end.
            let (held, holding) = AsyncStream<Void>.makeStream()
            let (release, releasing) = AsyncStream<Void>.makeStream()
            let reader = Task {
                try await database.sqlTransaction { db in
                    _ = try await db.raw("SELECT count(*) AS n FROM usage_records").all()
                    holding.yield()
                    for await _ in release { break }
                }
            }
            defer { releasing.finish() }
            for await _ in held { break }
            let attempt = Task { try await UsagePartitionMaintenance.upkeep(store: store, now: later, retentionMonths: 3, logger: logger) }
            // A bound, not a wait for an effect: a drop without a lock timeout would wait for the
            // read, which waits for this. After 20 s the read ends, so such a drop succeeds late
            // and this test fails instead of hanging.
            let bound = Task {
                try await Task.sleep(for: .seconds(20))
                releasing.finish()
            }
            let outcome = await attempt.result
            bound.cancel()
            #expect(throws: (any Error).self) { try outcome.get() }
            let month = UsagePartitionRepository.Month(containing: now)
            #expect(try await store.read { try await $0.usagePartitions.months() }.contains(month), "nothing dropped")
            releasing.finish()
            try await reader.value
            try await UsagePartitionMaintenance.upkeep(store: store, now: later, retentionMonths: 3, logger: logger)
            #expect(try await !store.read { try await $0.usagePartitions.months() }.contains(month))
        }
    }

    @Test("usage.retention_months is refused on SQLite, and outside 1-1200")
    func retentionSetting() throws {
        #expect(throws: ConfigurationError.self) {
            try AppConfiguration.fromEnvironment(["SIMGATE_USAGE_RETENTION_MONTHS": "12"])
        }
        #expect(throws: ConfigurationError.self) {
            try AppConfiguration.fromEnvironment(["SIMGATE_DATABASE": "postgres://u@h/db", "SIMGATE_USAGE_RETENTION_MONTHS": "0"])
        }
        let configuration = try AppConfiguration.fromEnvironment(["SIMGATE_DATABASE": "postgres://u@h/db", "SIMGATE_USAGE_RETENTION_MONTHS": "13"])
        #expect(configuration.usageRetentionMonths == 13)
    }
}
