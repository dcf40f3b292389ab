import Foundation

/// What an account's SIMs cost in one month: a line per SIM and tariff, totals per tariff
/// and per currency, and what OFFLINE time saved. Amounts are whole minor units.
public struct Statement: Equatable, Sendable {
    /// The account billed.
    public let accountID: AccountID
    /// The month.
    public let month: BillingMonth
    /// The instant the amounts run to: the month's end once it is over, else the time asked.
    public let asOf: Date
    /// Whether the month is still running: amounts so far, with a forecast to its end.
    public let isOpen: Bool
    /// One per SIM and tariff, ordered by ``StatementLine/id``.
    public let lines: [StatementLine]
    /// One per tariff (and one for SIMs without a tariff), by tariff number.
    public let tariffs: [StatementTariffTotal]
    /// One per currency.
    public let totals: [StatementTotal]
    /// What OFFLINE time saved, per hold cause and currency.
    public let savings: [StatementSaving]
}

/// Time in one status on one line, and its fee.
public struct StatusCharge: Equatable, Sendable {
    /// The status.
    public let status: SimStatus
    /// Seconds in it within the month (and the line's tariff).
    public let seconds: Int64
    /// Its fee for that time, rounded half up for reading; the line's amount is rounded once from the exact sum.
    public let amount: Int64
}

/// One SIM on one tariff in the month.
public struct StatementLine: Equatable, Sendable {
    /// `<sim id>:<tariff number>`, or `<sim id>:none` for time on no tariff; sorts the lines.
    public let id: String
    /// The SIM.
    public let simID: SimID
    /// Its ICCID.
    public let iccid: ICCID
    /// The tariff; `nil` for time on none.
    public let tariffNumber: Int?
    /// The currency of the tariff's price; `nil` when no price covered any of the time.
    public let currency: String?
    /// The first and last instants of the line's time in the month (up to ``Statement/asOf``).
    public let from: Date
    /// See ``from``.
    public let to: Date
    /// Time and fee per status, in status order.
    public let statuses: [StatusCharge]
    /// Seconds no price covered (free).
    public let unpricedSeconds: Int64
    /// Bytes used while the account held the SIM on this tariff.
    public let usedBytes: UInt64
    /// Bytes the fees include: each price's allowance prorated to the seconds it applied.
    public let includedBytes: UInt64
    /// Bytes beyond what is included; `nil` when the tariff pools data (see the tariff total).
    public let billableBytes: UInt64?
    /// Whether the tariff pools its allowance across the account's SIMs.
    public let dataPooled: Bool
    /// The price of the billable bytes, rounded half up for reading.
    public let dataAmount: Int64
    /// Bundles granted (AOFU provisioning) and their price.
    public let bundleCount: Int
    /// See ``bundleCount``.
    public let bundleAmount: Int64
    /// Top-ups: how many, bytes added and their price (rounded half up for reading).
    public let topUpCount: Int
    /// See ``topUpCount``.
    public let topUpBytes: UInt64
    /// See ``topUpCount``.
    public let topUpAmount: Int64
    /// The line's amount: its exact fees, data, bundles and top-ups summed, then rounded once, half up.
    public let amount: Int64
    /// Open months: the amount if the SIM stays as it is to the month's end and uses data at its rate per LIVE second so far.
    public let forecastAmount: Int64?
}

/// Data pooled across an account's SIMs on a tariff.
public struct PooledData: Equatable, Sendable {
    /// Bytes all its lines used.
    public let usedBytes: UInt64
    /// Bytes all its lines include.
    public let includedBytes: UInt64
    /// Bytes beyond the pool.
    public let billableBytes: UInt64
    /// Their price, rounded once, half up.
    public let amount: Int64
    /// Open months: the same at the month's end, forecast.
    public let forecastAmount: Int64?
}

/// One tariff's part of a statement.
public struct StatementTariffTotal: Equatable, Sendable {
    /// The tariff; `nil` for SIMs on none.
    public let tariffNumber: Int?
    /// Its currency; `nil` when it had no price in the month.
    public let currency: String?
    /// How many SIMs have a line on it.
    public let simCount: Int
    /// The pool, for tariffs that pool data.
    public let pooledData: PooledData?
    /// Its lines' amounts and the pool's, summed.
    public let amount: Int64
    /// Open months: the forecast, summed the same way.
    public let forecastAmount: Int64?
}

/// The account's total in one currency.
public struct StatementTotal: Equatable, Sendable {
    /// The currency.
    public let currency: String
    /// The sum of its tariffs' amounts.
    public let amount: Int64
    /// Open months: the forecast sum.
    public let forecastAmount: Int64?
    /// What OFFLINE time saved against the same time LIVE, all causes together.
    public let saved: Int64
}

/// What OFFLINE time under one hold cause saved.
public struct StatementSaving: Equatable, Sendable {
    /// The hold that kept the SIMs OFFLINE (`payment`, `manual`, `rule:<id>`...); `nil` if unknown.
    public let cause: HoldCause?
    /// The currency of the fees compared.
    public let currency: String
    /// Seconds OFFLINE under it, over all SIMs.
    public let seconds: Int64
    /// SIMs that spent time OFFLINE under it.
    public let simCount: Int
    /// What that time cost at the OFFLINE fee.
    public let offlineAmount: Int64
    /// What it would have cost at the LIVE fee.
    public let liveAmount: Int64
    /// The difference, each side rounded once, half up.
    public let saved: Int64
}
