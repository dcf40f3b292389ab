import Foundation

/// Everything a statement is computed from, read from storage by the caller.
public struct StatementInputs: Sendable {
    /// The account billed.
    public var accountID: AccountID
    /// The month.
    public var month: BillingMonth
    /// The time asked: amounts run to it while the month is open.
    public var asOf: Date
    /// The account's SIM periods that overlap the month (others are ignored).
    public var periods: [SimPeriod]
    /// The ICCID of every SIM in `periods`, `monthlyUsage` and `bundleChanges`.
    public var iccids: [SimID: ICCID]
    /// Every price of every tariff in `periods`, in any order.
    public var prices: [Int: [TariffPrice]]
    /// Bytes each SIM used in the month while the account held it.
    public var monthlyUsage: [SimID: UInt64]
    /// By UTC day start, the bytes of each SIM in ``simsNeedingDailyUsage``; others may be absent.
    public var dailyUsage: [SimID: [Date: UInt64]]
    /// The account's bundle grants and top-ups in the month.
    public var bundleChanges: [BundleChange]

    /// Inputs with every part given.
    public init(
        accountID: AccountID, month: BillingMonth, asOf: Date, periods: [SimPeriod], iccids: [SimID: ICCID], prices: [Int: [TariffPrice]],
        monthlyUsage: [SimID: UInt64], dailyUsage: [SimID: [Date: UInt64]], bundleChanges: [BundleChange]
    ) {
        self.accountID = accountID
        self.month = month
        self.asOf = asOf
        self.periods = periods
        self.iccids = iccids
        self.prices = prices
        self.monthlyUsage = monthlyUsage
        self.dailyUsage = dailyUsage
        self.bundleChanges = bundleChanges
    }

    /// SIMs that were on more than one tariff (or on one and on none) for the account in the
    /// month: their usage is split between lines by day, so the caller reads it by day.
    public static func simsNeedingDailyUsage(_ periods: [SimPeriod]) -> Set<SimID> {
        var tariffs: [SimID: Set<Int>] = [:]
        for period in periods { tariffs[period.simID, default: []].insert(period.terms.tariffNumber ?? 0) }
        return Set(tariffs.filter { $0.value.count > 1 }.keys)
    }
}

/// A statement's amounts do not fit a signed 64-bit integer: prices or usage so extreme that
/// no amount can be shown. Nothing is rounded or cut to hide it.
public struct StatementTooLarge: Error, Equatable, Sendable {
    /// The line or total that overflowed.
    public let item: String
}
