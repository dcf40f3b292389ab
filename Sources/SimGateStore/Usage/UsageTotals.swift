import Foundation
import SimGateCore

/// A row of `usage_totals`: one SIM, one period (`2026-11-22` or `2026-11`), one country ("" unknown).
struct UsageTotalKey: Hashable {
    /// The SIM the bytes count for.
    let simID: SimID
    /// The account that used the bytes (part of the table's key, `''` for the operator's stock).
    let accountID: AccountID?
    /// `YYYY-MM-DD` for a day or `YYYY-MM` for a month, in UTC.
    let period: String
    /// Whether `period` is a day or a month.
    let granularity: UsageGranularity
    /// ISO 3166-1 alpha-2 country of the serving network, "" when unknown.
    let country: String

    /// The table's own key.
    struct Row: Hashable {
        /// The SIM's `sim_...` id, as stored.
        let simID: String
        /// The account's id, `''` for the operator's stock.
        let account: String
        /// The period key.
        let period: String
        /// The country, "" when unknown.
        let country: String
    }

    /// The table's primary key.
    var row: Row { Row(simID: simID.rawValue, account: accountID?.rawValue ?? "", period: period, country: country) }

    /// One SIM's period over all its countries.
    struct SimPeriod: Hashable {
        /// The SIM's `sim_...` id, as stored.
        let simID: String
        /// The period key.
        let period: String
    }

    /// This key's SIM and period, to check the sum over all countries.
    var simPeriod: SimPeriod { SimPeriod(simID: simID.rawValue, period: period) }
}

/// What one batch of new records adds to one row of `usage_totals`.
struct UsageTotalAddition {
    /// Bytes sent by the devices.
    var up: UInt64 = 0
    /// Bytes received by the devices.
    var down: UInt64 = 0
    /// The latest end among the records, in epoch milliseconds.
    var lastDataAt: Int64 = .min

    /// Counts `record`. Neither sum can overflow: callers first check that the row's total,
    /// of which this is a part, stays within ``UsageByteLimits/maximum``.
    mutating func add(_ record: UsageRecord) {
        up += record.bytesUp
        down += record.bytesDown
        lastDataAt = max(lastDataAt, record.endedAt.stored)
    }
}

/// Whether a total covers a UTC day or a UTC month.
enum UsageGranularity: String, Hashable, Sendable {
    /// A UTC day (`YYYY-MM-DD`) or a UTC month (`YYYY-MM`).
    case day, month
}

/// Whose totals to read and how to cut them.
public struct UsageTotalsQuery: Sendable {
    /// Whose usage to sum.
    public enum Scope: Sendable {
        /// One SIM's usage, whichever account held it (unless the query's `account` narrows it).
        case sim(SimID)
        /// The usage of every SIM while this account held it.
        case account(AccountID)
        /// Every account's (the operator's view).
        case everyone
    }

    /// Whose usage to read.
    public var scope: Scope
    /// Months (`YYYY-MM`) rather than days (`YYYY-MM-DD`).
    public var months: Bool
    /// First and last period keys, inclusive.
    public var from: String
    /// Last period key to include (inclusive).
    public var to: String
    /// Only this country ("" for unknown).
    public var country: String?
    /// Only usage of this account (a SIM's former owners' usage stays theirs).
    public var account: AccountID?
    /// One row per country rather than one per period.
    public var byCountry: Bool

    /// A query; by default all countries together, for whichever account used the bytes.
    public init(scope: Scope, months: Bool, from: String, to: String, country: String? = nil, byCountry: Bool = false, account: AccountID? = nil) {
        self.account = account
        self.scope = scope
        self.months = months
        self.from = from
        self.to = to
        self.country = country
        self.byCountry = byCountry
    }
}

/// Bytes in one period, and one country when totals are cut by country.
public struct UsageTotal: Sendable, Equatable {
    /// The period key (`2026-11-22` or `2026-11`).
    public let period: String
    /// The country when cut by country; `nil` when not cut, or unknown.
    public let country: String?
    /// Bytes sent by the devices.
    public let up: UInt64
    /// Bytes received by the devices.
    public let down: UInt64

    /// A total of `up` and `down` bytes for `period` (and `country`, when cut by it).
    public init(period: String, country: String?, up: UInt64, down: UInt64) {
        self.period = period
        self.country = country
        self.up = up
        self.down = down
    }
}
