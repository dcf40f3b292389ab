import Foundation
import SimGateCore

/// A statement as the API shows it: the month's state, totals per currency and tariff, the
/// savings, and a page of lines. A frozen statement stores all of it but the page.
struct StatementResource: Codable, Equatable, Sendable {
    /// Where the month stands.
    enum State: String, Codable, Sendable {
        /// The current month: amounts so far, with a forecast to its end.
        case open
        /// Over, but late usage may still arrive until it is frozen.
        case closing
        /// Frozen: the same whenever asked.
        case frozen
    }

    /// One currency's total.
    struct Total: Codable, Equatable, Sendable {
        /// ISO 4217 code.
        let currency: String
        /// In minor units.
        let amount: Int64
        /// Open months: the forecast for the whole month; `null` otherwise.
        let forecastAmount: Int64?
        /// What OFFLINE time saved.
        let saved: Int64

        /// The JSON field names, snake_case as the API writes them.
        enum CodingKeys: String, CodingKey {
            case currency, amount, saved
            case forecastAmount = "forecast_amount"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(currency, forKey: .currency)
            try container.encode(amount, forKey: .amount)
            try container.encode(forecastAmount, forKey: .forecastAmount)
            try container.encode(saved, forKey: .saved)
        }
    }

    /// A tariff's pooled data.
    struct Pool: Codable, Equatable, Sendable {
        /// Bytes used.
        let usedBytes: UInt64
        /// Bytes included.
        let includedBytes: UInt64
        /// Bytes beyond the allowance.
        let billableBytes: UInt64
        /// In minor units.
        let amount: Int64
        /// Open months: the forecast for the whole month; `null` otherwise.
        let forecastAmount: Int64?

        /// The JSON field names, snake_case as the API writes them.
        enum CodingKeys: String, CodingKey {
            case amount
            case usedBytes = "used_bytes", includedBytes = "included_bytes", billableBytes = "billable_bytes", forecastAmount = "forecast_amount"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(usedBytes, forKey: .usedBytes)
            try container.encode(includedBytes, forKey: .includedBytes)
            try container.encode(billableBytes, forKey: .billableBytes)
            try container.encode(amount, forKey: .amount)
            try container.encode(forecastAmount, forKey: .forecastAmount)
        }
    }

    /// One tariff's total.
    struct TariffTotal: Codable, Equatable, Sendable {
        /// The tariff number; `null` for SIMs on none.
        let tariff: Int?
        /// The tariff's name when the statement was made.
        let name: String?
        /// ISO 4217 code.
        let currency: String?
        /// How many SIMs.
        let sims: Int
        /// The pool, for tariffs that pool data.
        let pooledData: Pool?
        /// In minor units.
        let amount: Int64
        /// Open months: the forecast for the whole month; `null` otherwise.
        let forecastAmount: Int64?

        /// The JSON field names, snake_case as the API writes them.
        enum CodingKeys: String, CodingKey {
            case tariff, name, currency, sims, amount
            case pooledData = "pooled_data", forecastAmount = "forecast_amount"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(tariff, forKey: .tariff)
            try container.encode(name, forKey: .name)
            try container.encode(currency, forKey: .currency)
            try container.encode(sims, forKey: .sims)
            try container.encode(pooledData, forKey: .pooledData)
            try container.encode(amount, forKey: .amount)
            try container.encode(forecastAmount, forKey: .forecastAmount)
        }
    }

    /// What OFFLINE time under one hold cause saved.
    struct Saving: Codable, Equatable, Sendable {
        /// The hold cause (`payment`, `manual`, `rule:<id>`...).
        let cause: String
        /// ISO 4217 code.
        let currency: String
        /// Seconds OFFLINE.
        let seconds: Int64
        /// The same in days, to four decimals.
        let days: Double
        /// How many SIMs.
        let sims: Int
        /// That time at the OFFLINE fee.
        let offlineAmount: Int64
        /// That time at the LIVE fee.
        let liveAmount: Int64
        /// What OFFLINE time saved.
        let saved: Int64

        /// The JSON field names, snake_case as the API writes them.
        enum CodingKeys: String, CodingKey {
            case cause, currency, seconds, days, sims, saved
            case offlineAmount = "offline_amount", liveAmount = "live_amount"
        }
    }

    /// Always `statement`.
    let object: String
    /// The account billed.
    let account: String
    /// `YYYY-MM`.
    let month: String
    /// Open, closing or frozen.
    let state: State
    /// The month's first instant.
    let periodStart: Date
    /// The next month's first instant.
    let periodEnd: Date
    /// The instant the amounts run to.
    let asOf: Date
    /// When it was frozen; `null` before.
    let frozenAt: Date?
    /// How many lines it has.
    let lineCount: Int
    /// Per currency.
    let totals: [Total]
    /// Per tariff.
    let tariffs: [TariffTotal]
    /// Per hold cause and currency.
    let savings: [Saving]
    /// A page of lines; absent from the stored summary.
    var lines: ListResource<StatementLineResource>?

    /// The JSON field names, snake_case as the API writes them.
    enum CodingKeys: String, CodingKey {
        case object, account, month, state, totals, tariffs, savings, lines
        case periodStart = "period_start", periodEnd = "period_end", asOf = "as_of", frozenAt = "frozen_at", lineCount = "line_count"
    }

    /// The summary of `statement` (no lines), in `state`; `names` are the tariffs' names.
    init(_ statement: Statement, state: State, frozenAt: Date?, names: [Int: String]) {
        object = "statement"
        account = statement.accountID.rawValue
        month = statement.month.description
        self.state = state
        periodStart = statement.month.start
        periodEnd = statement.month.end
        asOf = statement.asOf
        self.frozenAt = frozenAt
        lineCount = statement.lines.count
        totals = statement.totals.map { Total(currency: $0.currency, amount: $0.amount, forecastAmount: $0.forecastAmount, saved: $0.saved) }
        tariffs = statement.tariffs.map { total in
            TariffTotal(
                tariff: total.tariffNumber, name: total.tariffNumber.flatMap { names[$0] }, currency: total.currency, sims: total.simCount,
                pooledData: total.pooledData.map {
                    Pool(usedBytes: $0.usedBytes, includedBytes: $0.includedBytes, billableBytes: $0.billableBytes, amount: $0.amount, forecastAmount: $0.forecastAmount)
                },
                amount: total.amount, forecastAmount: total.forecastAmount
            )
        }
        savings = statement.savings.map {
            Saving(
                cause: $0.cause?.description ?? "unknown", currency: $0.currency, seconds: $0.seconds, days: StatementLineResource.days($0.seconds),
                sims: $0.simCount, offlineAmount: $0.offlineAmount, liveAmount: $0.liveAmount, saved: $0.saved
            )
        }
        lines = nil
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(object, forKey: .object)
        try container.encode(account, forKey: .account)
        try container.encode(month, forKey: .month)
        try container.encode(state, forKey: .state)
        try container.encode(periodStart, forKey: .periodStart)
        try container.encode(periodEnd, forKey: .periodEnd)
        try container.encode(asOf, forKey: .asOf)
        try container.encode(frozenAt, forKey: .frozenAt)
        try container.encode(lineCount, forKey: .lineCount)
        try container.encode(totals, forKey: .totals)
        try container.encode(tariffs, forKey: .tariffs)
        try container.encode(savings, forKey: .savings)
        try container.encodeIfPresent(lines, forKey: .lines)
    }
}
