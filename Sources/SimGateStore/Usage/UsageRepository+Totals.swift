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
            return UsageTotal(period: period, country: country.flatMap { $0.isEmpty ? nil : $0 }, up: try joined("up"), down: try joined("down"))
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
