import Foundation

/// What a tariff costs from a date on. Amounts are whole minor units of `currency` (cents for
/// EUR), never floating point; a tariff keeps every price it had, so that a month is always
/// priced with the prices in force in it.
public struct TariffPrice: Equatable, Sendable {
    /// The tariff it prices.
    public let tariffNumber: Int
    /// From when it is in force (until the next price's `effectiveFrom`).
    public let effectiveFrom: Date
    /// ISO 4217 code, such as `EUR`.
    public let currency: String
    /// The monthly fee per SIM for each status it is in, prorated to the second; a status
    /// not listed costs nothing (INVENTORY and RETIRED are free unless set).
    public let monthlyFees: [SimStatus: Int64]
    /// Data included in the monthly fee per SIM and month, in bytes.
    public let includedBytes: UInt64
    /// The price of each MB (1,048,576 bytes) beyond what is included.
    public let dataPricePerMB: Int64
    /// Whether included data is pooled across the account's SIMs on the tariff, rather than per SIM.
    public let dataPooled: Bool
    /// AOFU tariffs: the price of the bundle a SIM is provisioned with.
    public let bundlePrice: Int64?
    /// AOFU tariffs: the price of each MB topped up.
    public let topUpPricePerMB: Int64?
    /// When the operator set it.
    public let createdAt: Date

    /// A price with every part given.
    public init(
        tariffNumber: Int, effectiveFrom: Date, currency: String, monthlyFees: [SimStatus: Int64], includedBytes: UInt64, dataPricePerMB: Int64,
        dataPooled: Bool, bundlePrice: Int64?, topUpPricePerMB: Int64?, createdAt: Date
    ) {
        self.tariffNumber = tariffNumber
        self.effectiveFrom = effectiveFrom
        self.currency = currency
        self.monthlyFees = monthlyFees
        self.includedBytes = includedBytes
        self.dataPricePerMB = dataPricePerMB
        self.dataPooled = dataPooled
        self.bundlePrice = bundlePrice
        self.topUpPricePerMB = topUpPricePerMB
        self.createdAt = createdAt
    }

    /// Largest amount any price may hold, in minor units: ten billion of the currency's units
    /// at two decimals. Sums of many SIMs' months stay far inside a signed 64-bit integer.
    public static let maximumAmount: Int64 = 1_000_000_000_000

    /// Whether `code` is an ISO 4217 currency code this system knows.
    public static func isCurrency(_ code: String) -> Bool {
        code.count == 3 && code.allSatisfy { $0.isASCII && $0.isUppercase } && knownCurrencies.contains(code)
    }

    private static let knownCurrencies = Set(Locale.commonISOCurrencyCodes)
}
