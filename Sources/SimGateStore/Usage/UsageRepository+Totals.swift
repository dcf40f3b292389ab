import Foundation
import SimGateCore
import SQLKit

extension UsageRepository {
    /// A SIM's total for a period key (`2026-11-22` or `2026-11`), all countries together.
    public func total(simID: SimID, period: String) async throws -> (up: UInt64, down: UInt64) {
        let rows = try await totals(UsageTotalsQuery(scope: .sim(simID), months: period.count == 7, from: period, to: period))
        var sum: (up: UInt64, down: UInt64) = (0, 0)
        for row in rows {
            // One SIM's countries never sum past the limit (insert guards it); if stored data
            // says otherwise, say so rather than wrap around.
            guard let up = UsageByteLimits.adding(row.up, to: sum.up), let down = UsageByteLimits.adding(row.down, to: sum.down) else {
                throw UsageTotalTooLarge(period: period)
            }
            sum = (up, down)
        }
        return sum
    }

    /// Totals by period (and by country when asked), oldest first.
    public func totals(_ query: UsageTotalsQuery) async throws -> [UsageTotal] {
        // Each stored total fits a BIGINT, but a sum of many may not: SQLite would fail (or turn
        // REAL) and PostgreSQL refuse the cast. Summing the high and low 32 bits apart cannot
        // overflow for fewer than 2^31 rows, and the halves are joined below with a check.
        var select = db.select().column("period").from("usage_totals")
            // PostgreSQL sums BIGINT into NUMERIC; the casts bring it back.
            .column(SQLRaw("CAST(SUM(bytes_up / 4294967296) AS BIGINT) AS up_high"))
            .column(SQLRaw("CAST(SUM(bytes_up % 4294967296) AS BIGINT) AS up_low"))
            .column(SQLRaw("CAST(SUM(bytes_down / 4294967296) AS BIGINT) AS down_high"))
            .column(SQLRaw("CAST(SUM(bytes_down % 4294967296) AS BIGINT) AS down_low"))
            .where("period", .greaterThanOrEqual, query.from).where("period", .lessThanOrEqual, query.to)
            // Days and months share the table; the range alone would mix them.
            .where("granularity", .equal, (query.months ? UsageGranularity.month : .day).rawValue)
            .groupBy("period").orderBy("period")
        switch query.scope {
        case .sim(let id): select = select.where("sim_id", .equal, id.rawValue)
        case .account(let id): select = select.where("account_id", .equal, id.rawValue)
        case .everyone: break
        }
        if let country = query.country { select = select.where("country", .equal, country) }
        if let account = query.account { select = select.where("account_id", .equal, account.rawValue) }
        if query.byCountry { select = select.column("country").groupBy("country").orderBy("country") }
        return try await select.all().map { row in
            let country = query.byCountry ? try row.string("country") : nil
            let period = try row.string("period")
            func joined(_ name: String) throws -> UInt64 {
                let high = try row.decode(column: name + "_high", as: Int64.self), low = try row.decode(column: name + "_low", as: Int64.self)
                let (shifted, overflow) = UInt64(high).multipliedReportingOverflow(by: 1 << 32)
                guard high >= 0, low >= 0, !overflow, let sum = UsageByteLimits.adding(UInt64(low), to: shifted) else {
                    throw UsageTotalTooLarge(period: period)
                }
                return sum
            }
            let up = try joined("up"), down = try joined("down")
            // Shown with their sum (`bytes_total`), which must fit as well: over several SIMs,
            // up and down may each be within the limit and together past it.
            guard UsageByteLimits.adding(up, to: down) != nil else { throw UsageTotalTooLarge(period: period) }
            return UsageTotal(period: period, country: country.flatMap { $0.isEmpty ? nil : $0 }, up: up, down: down)
        }
    }
}

/// A sum of totals (over many SIMs or countries) passes a signed 64-bit integer, and cannot be
/// shown as one; a narrower query (one SIM, one country, a shorter range) can.
public struct UsageTotalTooLarge: Error, Sendable {
    /// The period key (`2026-11-22` or `2026-11`) whose sum did not fit.
    public let period: String
}

extension SQLRow {
    /// A stored byte count, which is never negative.
    func byteCount(_ column: String, table: String) throws -> UInt64 {
        let value = try int64(column)
        guard let count = UInt64(exactly: value) else { throw StoreError.corruptRow(table: table, column: column, value: String(value)) }
        return count
    }
}

extension UsageRepository {
    /// Each SIM's bytes up and down together, with its current account, for one period
    /// (`2026-12-02` for a day, `2026-12` for a month) or, when `period` is `nil`, for all time.
    /// A SIM whose sum passes 2^63 - 1 bytes is given that.
    public func combinedTotals(sims: [SimID: AccountID], months: Bool, period: String?) async throws -> [SimID: UInt64] {
        guard !sims.isEmpty else { return [:] }
        var totals: [SimID: UInt64] = [:]
        let ids = sims.keys.sorted()
        for start in stride(from: 0, to: ids.count, by: 500) {
            var select = db.select().column("sim_id").column("account_id").from("usage_totals")
                .column(SQLRaw("CAST(SUM(bytes_up / 4294967296) + SUM(bytes_down / 4294967296) AS BIGINT) AS high"))
                .column(SQLRaw("CAST(SUM(bytes_up % 4294967296) + SUM(bytes_down % 4294967296) AS BIGINT) AS low"))
                .where("sim_id", .in, ids[start..<min(start + 500, ids.count)].map(\.rawValue))
                .where("granularity", .equal, (months ? UsageGranularity.month : .day).rawValue)
                .groupBy("sim_id").groupBy("account_id")
            if let period { select = select.where("period", .equal, period) }
            for row in try await select.all() {
                let sim = SimID(trusted: try row.string("sim_id"))
                // Usage from before the SIM came to its account is not its account's.
                guard let account = try row.optionalString("account_id"), sims[sim]?.rawValue == account else { continue }
                let high = try row.int64("high"), low = try row.int64("low")
                let (shifted, overflow) = UInt64(max(0, high)).multipliedReportingOverflow(by: 1 << 32)
                totals[sim] = overflow ? UInt64(Int64.max) : UsageByteLimits.adding(UInt64(max(0, low)), to: shifted).map { min($0, UInt64(Int64.max)) } ?? UInt64(Int64.max)
            }
        }
        return totals
    }

    /// When each SIM last passed data while `account` held it (the end of its latest usage
    /// record), for SIMs that did. Read from the month totals, which keep that time: a SIM
    /// has one row a month per country.
    public func lastDataAt(sims: [SimID], account: AccountID) async throws -> [SimID: Date] {
        var found: [SimID: Date] = [:]
        for chunk in BatchShape.inLists(sims.map(\.rawValue), lists: 1, on: db) {
            var query = SQLText(for: db)
            query.append(#"SELECT "sim_id", MAX("last_data_at") AS "last" FROM "usage_totals" WHERE "sim_id" IN "#)
            query.bindList(chunk)
            query.append(#" AND "account_id" = "#)
            query.bind(account.rawValue)
            query.append(#" AND "granularity" = 'month' GROUP BY "sim_id""#)
            for row in try await query.query(on: db).all() {
                if let last = try row.optionalDate("last") { found[SimID(trusted: try row.string("sim_id"))] = last }
            }
        }
        return found
    }
}
