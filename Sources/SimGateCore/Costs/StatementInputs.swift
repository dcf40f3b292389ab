import Foundation

/// Everything a statement is computed from, read from storage by the caller.
public struct StatementInputs: Sendable {
    /// The account billed.
    public var accountID: AccountID
    /// The month.
    public var month: BillingMonth
    /// The time asked: amounts run to it while the month is open.
    public var asOf: Date
    /// Each SIM the account held in the month, with what it did then.
    public var sims: [StatementSim]
    /// Every price of every tariff the SIMs were on, in any order.
    public var prices: [Int: [TariffPrice]]

    /// Inputs with every part given.
    public init(accountID: AccountID, month: BillingMonth, asOf: Date, sims: [StatementSim], prices: [Int: [TariffPrice]]) {
        self.accountID = accountID
        self.month = month
        self.asOf = asOf
        self.sims = sims
        self.prices = prices
    }
}

/// One SIM's part in a statement: the account's periods of it that overlap the month, the
/// bytes it used and the bundle changes it had while the account held it.
public struct StatementSim: Sendable {
    /// The SIM.
    public var simID: SimID
    /// Its ICCID, for the line.
    public var iccid: ICCID
    /// The account's periods of it that overlap the month, oldest first.
    public var periods: [SimPeriod]
    /// Bytes used in the month while the account held it.
    public var usedBytes: UInt64
    /// The same by UTC day start: needed only when ``needsDailyUsage``, to split it between tariffs.
    public var dailyBytes: [Date: UInt64]
    /// Bundle grants and top-ups in the month while the account held it.
    public var bundleChanges: [BundleChange]

    /// A SIM's part, with every piece given.
    public init(simID: SimID, iccid: ICCID, periods: [SimPeriod], usedBytes: UInt64, dailyBytes: [Date: UInt64] = [:], bundleChanges: [BundleChange] = []) {
        self.simID = simID
        self.iccid = iccid
        self.periods = periods
        self.usedBytes = usedBytes
        self.dailyBytes = dailyBytes
        self.bundleChanges = bundleChanges
    }

    /// Whether it was on more than one tariff (or on one and on none) in the month: its usage
    /// is then split between lines by day, so the caller reads it by day.
    public var needsDailyUsage: Bool {
        guard let first = periods.first?.terms.tariffNumber else { return periods.contains { $0.terms.tariffNumber != nil } }
        return periods.contains { $0.terms.tariffNumber != first }
    }
}

/// A statement's amounts do not fit a signed 64-bit integer: prices or usage so extreme that
/// no amount can be shown. Nothing is rounded or cut to hide it.
public struct StatementTooLarge: Error, Equatable, Sendable {
    /// The line or total that overflowed.
    public let item: String
    /// What of it overflowed: its amount, or a count of bytes.
    public var quantity: String = "amount"
}
