import Foundation
import SimGateCore

/// A row of `usage_totals`: one SIM, one period (`2026-11-22` or `2026-11`), one country ("" unknown).
struct UsageTotalKey: Hashable {
    let simID: SimID
    let accountID: AccountID?
    let period: String
    let granularity: UsageGranularity
    let country: String

    /// The table's own key (the account is not part of it).
    struct Row: Hashable {
        let simID: String
        let period: String
        let country: String
    }

    var row: Row { Row(simID: simID.rawValue, period: period, country: country) }

    /// One SIM's period over all its countries.
    struct SimPeriod: Hashable {
        let simID: String
        let period: String
    }

    var simPeriod: SimPeriod { SimPeriod(simID: simID.rawValue, period: period) }
}

/// Whether a total covers a UTC day or a UTC month.
enum UsageGranularity: String, Hashable, Sendable {
    case day, month
}

/// Whose totals to read and how to cut them.
public struct UsageTotalsQuery: Sendable {
    public enum Scope: Sendable {
        case sim(SimID)
        case account(AccountID)
        /// Every account's (the operator's view).
        case everyone
    }

    public var scope: Scope
    /// Months (`YYYY-MM`) rather than days (`YYYY-MM-DD`).
    public var months: Bool
    /// First and last period keys, inclusive.
    public var from: String
    public var to: String
    /// Only this country ("" for unknown).
    public var country: String?
    /// Only usage of this account (a SIM's former owners' usage stays theirs).
    public var account: AccountID?
    /// One row per country rather than one per period.
    public var byCountry: Bool

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
    public let period: String
    public let country: String?
    public let up: UInt64
    public let down: UInt64

    public init(period: String, country: String?, up: UInt64, down: UInt64) {
        self.period = period
        self.country = country
        self.up = up
        self.down = down
    }
}
