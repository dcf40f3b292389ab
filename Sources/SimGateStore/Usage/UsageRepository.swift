import Foundation
import SimGateCore
import SQLKit

/// Usage records and per-SIM totals by day, month and country, kept up to date as records
/// arrive (never recomputed by scanning).
///
/// Every write takes many rows at once: RADIUS accounting commits hundreds of reports per
/// transaction, and a statement per row would cost more than the rest of the work together.
public struct UsageRepository: Sendable {
    /// Rows per multi-row statement: at most 16 binds each (a session's), far under SQLite's
    /// 32,766 and PostgreSQL's 65,535.
    static let rowsPerStatement = 1_000
    /// A usage record's INSERT. A record's id is made by SimGate just before it is stored and
    /// never comes from a client (resends are told apart by their sender id), so no insert
    /// meets an id already stored; one that did would be a defect, and fails the statement
    /// rather than being skipped unseen. Skipping such ids and returning the others, as this
    /// did before, took a third of the insert's time in an accounting flood.
    private static let recordInsert = InsertStatement(into: "usage_records", columns: [
        "id", "sim_id", "account_id", "source", "sender_id", "session_id", "started_at", "ended_at",
        "bytes_up", "bytes_down", "mcc_mnc", "country", "rat", "imei", "created_at",
    ])
    /// A usage total's upsert: a row that exists is added to, and keeps the later of the two
    /// last-data times (a late record does not move it back).
    private static let totalUpsert = InsertStatement(
        into: "usage_totals", columns: ["sim_id", "account_id", "period", "granularity", "country", "bytes_up", "bytes_down", "last_data_at"],
        then: #"ON CONFLICT ("sim_id", "period", "country", "account_id") DO UPDATE SET "#
            + #""bytes_up" = "usage_totals"."bytes_up" + excluded."bytes_up", "bytes_down" = "usage_totals"."bytes_down" + excluded."bytes_down", "#
            + #""last_data_at" = CASE WHEN "usage_totals"."last_data_at" >= excluded."last_data_at" THEN "usage_totals"."last_data_at" ELSE excluded."last_data_at" END"#
    )

    /// The connection (inside its transaction) every query here runs on.
    let db: any SQLDatabase

    /// What ``insert(_:now:)`` did with each record.
    public struct InsertOutcome: Sendable {
        /// Records that were new and now count in their totals.
        public var inserted: Set<String> = []
        /// Records that were new but would have carried a total past ``UsageByteLimits/maximum``:
        /// not stored, and counted nowhere.
        public var overflowing: Set<String> = []
    }

    /// Inserts records and adds the new ones to their SIMs' totals. A record whose source and
    /// sender id are already stored is a resend: it is skipped and adds nothing. A record that
    /// would carry a SIM's day or month total (for its country, or over all countries) past a
    /// signed 64-bit integer is refused, and so is any record that could not be stored as one.
    @discardableResult
    public func insert(_ records: [UsageRecord], now: Date) async throws -> InsertOutcome {
        var outcome = InsertOutcome()
        var storable = records.filter { $0.bytesUp <= UsageByteLimits.maximum && $0.bytesDown <= UsageByteLimits.maximum }
        if storable.count < records.count { outcome.overflowing = Set(records.map(\.id)).subtracting(storable.map(\.id)) }
        let resent = try await claimSenderKeys(storable)
        if !resent.isEmpty { storable.removeAll { resent.contains($0.id) } }
        var values: [any Encodable & Sendable] = []
        values.reserveCapacity(storable.count * Self.recordInsert.columnCount)
        for record in storable {
            values.append(record.id); values.append(record.simID.rawValue); values.append(orNull(record.accountID?.rawValue))
            values.append(record.source); values.append(orNull(record.senderID)); values.append(orNull(record.sessionID))
            values.append(record.startedAt.stored); values.append(record.endedAt.stored)
            values.append(Int64(record.bytesUp)); values.append(Int64(record.bytesDown))
            values.append(orNull(record.mccMNC)); values.append(orNull(record.country)); values.append(orNull(record.rat))
            values.append(orNull(record.imei)); values.append(now.stored)
            assert(values.count.isMultiple(of: Self.recordInsert.columnCount), "a usage record's row is one value a column")
        }
        try await Self.recordInsert.runInShapes(rowsOf: values, on: db)
        outcome.inserted = Set(storable.map(\.id))
        // A SIM's totals are read per country and across countries, so both must stay within
        // the limit. Each row is part of its SIM's sum for the period over all countries (and
        // owners), and no byte count is negative, so keeping that sum within the limit keeps
        // every row within it too. Only the months' sums are read: every record counts towards
        // its day and its month alike, so a day's sum is never more than its month's, and a
        // record that keeps its month within the limit keeps its day within it too. The days'
        // checks below start from nothing stored and so never refuse what the months' allow.
        var sums = try await storedSums(for: storable)
        // The days' running sums join the months' read.
        sums.reserveCapacity(sums.count + storable.count)
        var added: [UsageTotalKey: UsageTotalAddition] = [:]
        added.reserveCapacity(storable.count * 2)
        var refused: [String] = []
        for record in storable {
            let keys = Self.periodKeys(of: record.endedAt).map {
                UsageTotalKey(simID: record.simID, accountID: record.accountID, period: $0.period, granularity: $0.granularity, country: record.country ?? "")
            }
            // Up and down each within the limit, and together too: a SIM's usage is shown as
            // their sum (`bytes_total`), and statements and rules add them. Checked apart only,
            // a SIM could hold 2^62 bytes each way and its total read as 2^63, one past the limit.
            func grown(_ current: (up: UInt64, down: UInt64)) -> (up: UInt64, down: UInt64)? {
                guard let up = UsageByteLimits.adding(record.bytesUp, to: current.up),
                      let down = UsageByteLimits.adding(record.bytesDown, to: current.down),
                      UsageByteLimits.adding(up, to: down) != nil else { return nil }
                return (up, down)
            }
            let grownSums = keys.map { grown(sums[$0.simPeriod, default: (0, 0)]) }
            guard !grownSums.contains(where: { $0 == nil }) else {
                refused.append(record.id)
                continue
            }
            for (index, key) in keys.enumerated() {
                sums[key.simPeriod] = grownSums[index]
                // One lookup for both directions and the time; within the limits just checked.
                added[key, default: UsageTotalAddition()].add(record)
            }
        }
        if !refused.isEmpty {
            // In statements of at most 1,000 ids: PostgreSQL takes at most 65,535 binds.
            for start in stride(from: 0, to: refused.count, by: Self.rowsPerStatement) {
                try await db.delete(from: "usage_records").where("id", .in, Array(refused[start..<min(start + Self.rowsPerStatement, refused.count)])).run()
            }
            let refusedIDs = Set(refused)
            // Refused records are not stored, so a corrected resend must not count as a repeat.
            for record in storable where refusedIDs.contains(record.id) {
                guard let senderID = record.senderID else { continue }
                try await db.delete(from: "usage_sender_keys").where("source", .equal, record.source).where("sender_id", .equal, senderID).run()
            }
            outcome.inserted.subtract(refused)
            outcome.overflowing.formUnion(refused)
        }
        try await addToTotals(added)
        return outcome
    }

    /// Claims the sender keys (`source`, `sender_id`) of the records that carry one; returns
    /// the ids of those whose key was already claimed: resends, which add nothing. The key is
    /// unique in its own table because `usage_records` is partitioned by month on PostgreSQL,
    /// where a unique index would have to include the end time.
    private func claimSenderKeys(_ records: [UsageRecord]) async throws -> Set<String> {
        let keyed = records.filter { $0.senderID != nil }
        guard !keyed.isEmpty else { return [] }
        var claimed: Set<String> = []
        for start in stride(from: 0, to: keyed.count, by: Self.rowsPerStatement) {
            var insert = db.insert(into: "usage_sender_keys").columns("source", "sender_id", "record_id", "ended_at")
            for record in keyed[start..<min(start + Self.rowsPerStatement, keyed.count)] {
                insert = insert.values(SQLBind(record.source), SQLBind(record.senderID ?? ""), SQLBind(record.id), SQLBind(record.endedAt.stored))
            }
            for row in try await insert.ignoringConflicts().returning(SQLColumn("record_id")).all() {
                claimed.insert(try row.string("record_id"))
            }
        }
        return Set(keyed.map(\.id)).subtracting(claimed)
    }

    /// What each SIM that `records` count for has stored for each of their months, summed
    /// over its countries and owners. Stored rows each fit the limit, but the sum is made
    /// here, saturating, so that no stored data can make it wrap round to a small number.
    /// Days are not read (see ``insert(_:now:)``): that halved the read, which was a tenth of
    /// the writer's time in an accounting flood.
    private func storedSums(for records: [UsageRecord]) async throws -> [UsageTotalKey.SimPeriod: (up: UInt64, down: UInt64)] {
        var found: [UsageTotalKey.SimPeriod: (up: UInt64, down: UInt64)] = [:]
        let simIDs = Array(Set(records.map(\.simID.rawValue)))
        let periods = Array(Set(records.map { Self.month(of: $0.endedAt) }))
        guard !simIDs.isEmpty else { return found }
        // Sized once: grown row by row, it was rehashed several times in every batch.
        found.reserveCapacity(simIDs.count * periods.count)
        for chunk in BatchShape.inLists(simIDs, lists: 2, on: db) {
            for periodChunk in BatchShape.inLists(periods, lists: 2, on: db) {
                var query = SQLText(for: db)
                query.append(#"SELECT "sim_id", "period", "bytes_up", "bytes_down" FROM "usage_totals" WHERE "sim_id" IN "#)
                query.bindList(chunk)
                query.append(#" AND "period" IN "#)
                query.bindList(periodChunk)
                for row in try await query.query(on: db).all() {
                    let key = UsageTotalKey.SimPeriod(simID: try row.string("sim_id"), period: try row.string("period"))
                    let (up, down) = (try row.byteCount("bytes_up", table: "usage_totals"), try row.byteCount("bytes_down", table: "usage_totals"))
                    let sum = found[key, default: (0, 0)]
                    found[key] = (UsageByteLimits.adding(up, to: sum.up) ?? .max, UsageByteLimits.adding(down, to: sum.down) ?? .max)
                }
            }
        }
        return found
    }

    /// Adds to totals by upsert; each key appears once, as one statement may not touch a row twice.
    func addToTotals(_ totals: [UsageTotalKey: UsageTotalAddition]) async throws {
        var all = totals.map { (row: $0.key.row, granularity: $0.key.granularity, addition: $0.value) }
        // On PostgreSQL, in key order, the same on every instance, so that concurrent upserts
        // lock rows in one order. SQLite has one writer at a time and no row locks: there the
        // sort was 1.3% of an accounting update's CPU for nothing. Each row's key is made once:
        // making it inside the comparison was 4%.
        if db.dialect.name == "postgresql" {
            all.sort { lhs, rhs in
                let (a, b) = (lhs.row, rhs.row)
                if a.simID != b.simID { return a.simID < b.simID }
                if a.account != b.account { return a.account < b.account }
                if a.period != b.period { return a.period < b.period }
                return a.country < b.country
            }
        }
        var values: [any Encodable & Sendable] = []
        values.reserveCapacity(all.count * Self.totalUpsert.columnCount)
        for (row, granularity, addition) in all {
            values.append(row.simID); values.append(row.account); values.append(row.period); values.append(granularity.rawValue)
            values.append(row.country); values.append(Int64(addition.up)); values.append(Int64(addition.down)); values.append(addition.lastDataAt)
            assert(values.count.isMultiple(of: Self.totalUpsert.columnCount), "a usage total's row is one value a column")
        }
        try await Self.totalUpsert.runInShapes(rowsOf: values, on: db)
    }

    /// The day and month keys (UTC) a record ending at `time` counts towards.
    public static func periods(of time: Date) -> [String] {
        periodKeys(of: time).map(\.period)
    }

    /// The month (UTC) a record ending at `time` counts towards.
    /// The overflow check reads this month's sums for the totals ``periodKeys(of:)`` writes,
    /// so both take the month from the day the same way.
    static func month(of time: Date) -> String {
        month(ofDay: UTCTimeText.day(time))
    }

    /// The day and the month (UTC) a record ending at `time` counts towards, each with its kind.
    static func periodKeys(of time: Date) -> [(period: String, granularity: UsageGranularity)] {
        let day = UTCTimeText.day(time)
        return [(day, .day), (month(ofDay: day), .month)]
    }

    /// The month key (`2026-11`) of a day key (`2026-11-22`).
    private static func month(ofDay day: String) -> String {
        String(day.prefix(7))
    }
}
