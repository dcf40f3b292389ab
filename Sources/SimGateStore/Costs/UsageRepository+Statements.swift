import Foundation
import SimGateCore
import SQLKit

extension UsageRepository {
    /// Bytes (up and down) each SIM used in `month` while `accountID` held it.
    public func monthlyBytes(accountID: AccountID, month: BillingMonth) async throws -> [SimID: UInt64] {
        try await combined(
            db.select().from("usage_totals").where("account_id", .equal, accountID.rawValue)
                .where("granularity", .equal, UsageGranularity.month.rawValue).where("period", .equal, month.description)
        ).reduce(into: [:]) { $0[$1.key.sim] = $1.value }
    }

    /// Bytes each of `sims` used on each UTC day of `month` while `accountID` held it, by day start.
    public func dailyBytes(accountID: AccountID, sims: Set<SimID>, month: BillingMonth) async throws -> [SimID: [Date: UInt64]] {
        guard !sims.isEmpty else { return [:] }
        var days: [SimID: [Date: UInt64]] = [:]
        let ids = sims.map(\.rawValue).sorted()
        let first = Self.periods(of: month.start)[0], last = Self.periods(of: month.end.addingTimeInterval(-1))[0]
        for start in stride(from: 0, to: ids.count, by: 500) {
            let totals = try await combined(
                db.select().from("usage_totals").where("account_id", .equal, accountID.rawValue).where("sim_id", .in, Array(ids[start..<min(start + 500, ids.count)]))
                    .where("granularity", .equal, UsageGranularity.day.rawValue)
                    .where("period", .greaterThanOrEqual, first).where("period", .lessThanOrEqual, last),
                byPeriod: true
            )
            for (key, bytes) in totals {
                guard let day = Self.dayStart(key.period) else { continue }
                days[key.sim, default: [:]][day] = bytes
            }
        }
        return days
    }

    /// The first instant of the UTC day `YYYY-MM-DD`.
    private static func dayStart(_ key: String) -> Date? {
        let parts = key.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        return Calendar.utc.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))
    }

    /// Sums up and down bytes per SIM (and period) across countries, exactly: halves summed
    /// apart cannot overflow, and a sum past 2^63 - 1 is refused rather than wrapped.
    private func combined(_ select: SQLSelectBuilder, byPeriod: Bool = false) async throws -> [SimPeriodKey: UInt64] {
        var select = select.column("sim_id")
            .column(SQLRaw("CAST(SUM(bytes_up / 4294967296) + SUM(bytes_down / 4294967296) AS BIGINT) AS high"))
            .column(SQLRaw("CAST(SUM(bytes_up % 4294967296) + SUM(bytes_down % 4294967296) AS BIGINT) AS low"))
            .groupBy("sim_id")
        if byPeriod { select = select.column("period").groupBy("period") }
        var sums: [SimPeriodKey: UInt64] = [:]
        for row in try await select.all() {
            let period = byPeriod ? try row.string("period") : ""
            let high = try row.int64("high"), low = try row.int64("low")
            let (shifted, overflow) = UInt64(max(0, high)).multipliedReportingOverflow(by: 1 << 32)
            guard high >= 0, low >= 0, !overflow, let sum = UsageByteLimits.adding(UInt64(low), to: shifted) else {
                throw UsageTotalTooLarge(period: period)
            }
            sums[SimPeriodKey(sim: SimID(trusted: try row.string("sim_id")), period: period)] = sum
        }
        return sums
    }
}

/// A SIM and a usage period key, as sums are grouped.
private struct SimPeriodKey: Hashable {
    let sim: SimID
    let period: String
}

extension SimRepository {
    /// The account's bundle grants and top-ups in `[start, end)`, oldest first.
    public func bundleChanges(accountID: AccountID, from start: Date, to end: Date) async throws -> [BundleChange] {
        try await db.select().column("*").from("bundle_changes").where("account_id", .equal, accountID.rawValue)
            .where("created_at", .greaterThanOrEqual, start.stored).where("created_at", .lessThan, end.stored)
            .orderBy("created_at").orderBy("id").all().map(Self.bundleChange)
    }
}
