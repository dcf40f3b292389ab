import Foundation
import SimGateCore

/// One statement line as the API shows it (and a frozen statement stores it). Amounts are
/// whole minor units of `currency`; `null` fields are written, not left out.
struct StatementLineResource: Codable, Equatable, Sendable {
    /// Time in one status and its fee.
    struct StatusTime: Codable, Equatable, Sendable {
        /// `LIVE`, `OFFLINE`...
        let status: String
        /// Seconds in it.
        let seconds: Int64
        /// The same in days (seconds ÷ 86,400, to four decimals), for reading.
        let days: Double
        /// Its fee, rounded half up for reading.
        let amount: Int64
    }

    /// Data used, included and billable.
    struct DataUse: Codable, Equatable, Sendable {
        /// Bytes used.
        let usedBytes: UInt64
        /// Bytes the fees include (prorated).
        let includedBytes: UInt64
        /// Bytes beyond that; `null` when the tariff pools data.
        let billableBytes: UInt64?
        /// Whether the allowance is pooled (the pool is on the tariff's total).
        let pooled: Bool
        /// The billable bytes' price.
        let amount: Int64

        /// The JSON field names, snake_case as the API writes them.
        enum CodingKeys: String, CodingKey {
            case pooled, amount
            case usedBytes = "used_bytes", includedBytes = "included_bytes", billableBytes = "billable_bytes"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(usedBytes, forKey: .usedBytes)
            try container.encode(includedBytes, forKey: .includedBytes)
            try container.encode(billableBytes, forKey: .billableBytes)
            try container.encode(pooled, forKey: .pooled)
            try container.encode(amount, forKey: .amount)
        }
    }

    /// Bundles granted and their price.
    struct Bundles: Codable, Equatable, Sendable {
        /// How many.
        let count: Int
        /// Their price.
        let amount: Int64
    }

    /// Top-ups made, the bytes they added and their price.
    struct TopUps: Codable, Equatable, Sendable {
        /// How many.
        let count: Int
        /// Bytes added.
        let bytes: UInt64
        /// Their price, rounded half up for reading.
        let amount: Int64
    }

    /// Always `statement_line`.
    let object: String
    /// `<sim id>:<tariff>` (`:none` for time on no tariff); lines are ordered and paged by it.
    let id: String
    /// The SIM.
    let sim: String
    /// Its ICCID.
    let iccid: String
    /// The tariff, or `null`.
    let tariff: Int?
    /// The currency, or `null` when no price covered the time.
    let currency: String?
    /// First instant of the line's time in the month.
    let from: Date
    /// Last instant counted.
    let to: Date
    /// Time and fee per status.
    let statuses: [StatusTime]
    /// Seconds no price covered.
    let unpricedSeconds: Int64
    /// Data.
    let data: DataUse
    /// Bundles granted.
    let bundles: Bundles
    /// Top-ups.
    let topUps: TopUps
    /// The line's amount: the exact sum of its parts, rounded once, half up.
    let amount: Int64
    /// Open months: the amount forecast for the whole month; `null` once it is over.
    let forecastAmount: Int64?

    /// The JSON field names, snake_case as the API writes them.
    enum CodingKeys: String, CodingKey {
        case object, id, sim, iccid, tariff, currency, from, to, statuses, data, bundles, amount
        case unpricedSeconds = "unpriced_seconds", topUps = "top_ups", forecastAmount = "forecast_amount"
    }

    /// The API's view of `line`.
    init(_ line: StatementLine) {
        object = "statement_line"
        id = line.id
        sim = line.simID.rawValue
        iccid = line.iccid.digits
        tariff = line.tariffNumber
        currency = line.currency
        from = line.from
        to = line.to
        statuses = line.statuses.map { StatusTime(status: $0.status.rawValue, seconds: $0.seconds, days: Self.days($0.seconds), amount: $0.amount) }
        unpricedSeconds = line.unpricedSeconds
        data = DataUse(usedBytes: line.usedBytes, includedBytes: line.includedBytes, billableBytes: line.billableBytes, pooled: line.dataPooled, amount: line.dataAmount)
        bundles = Bundles(count: line.bundleCount, amount: line.bundleAmount)
        topUps = TopUps(count: line.topUpCount, bytes: line.topUpBytes, amount: line.topUpAmount)
        amount = line.amount
        forecastAmount = line.forecastAmount
    }

    /// Seconds as days to four decimals: for reading only, never for money.
    static func days(_ seconds: Int64) -> Double {
        Double(ExactDays.tenThousandths(seconds)) / 10_000
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(object, forKey: .object)
        try container.encode(id, forKey: .id)
        try container.encode(sim, forKey: .sim)
        try container.encode(iccid, forKey: .iccid)
        try container.encode(tariff, forKey: .tariff)
        try container.encode(currency, forKey: .currency)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(statuses, forKey: .statuses)
        try container.encode(unpricedSeconds, forKey: .unpricedSeconds)
        try container.encode(data, forKey: .data)
        try container.encode(bundles, forKey: .bundles)
        try container.encode(topUps, forKey: .topUps)
        try container.encode(amount, forKey: .amount)
        try container.encode(forecastAmount, forKey: .forecastAmount)
    }
}

/// Seconds counted in days, in whole ten-thousandths rounded half up.
enum ExactDays {
    /// `seconds` ÷ 86,400 in ten-thousandths of a day.
    static func tenThousandths(_ seconds: Int64) -> Int64 {
        (seconds * 10_000 * 2 + 86_400) / (86_400 * 2)
    }
}
