import Foundation
import SimGateCore

/// A tariff's price from a date on, as the API shows it; amounts in minor units.
struct TariffPriceResource: Codable, Equatable, Sendable {
    /// Always `tariff_price`.
    let object: String
    /// The tariff it prices.
    let tariff: Int
    /// From when it is in force.
    let effectiveFrom: Date
    /// ISO 4217 code.
    let currency: String
    /// Monthly fee per SIM by status; statuses left out cost nothing.
    let monthlyFees: [String: Int64]
    /// MB included in the monthly fee.
    let includedMB: Int64
    /// Minor units per MB beyond what is included.
    let dataPricePerMB: Int64
    /// Whether included data is pooled across the account's SIMs on the tariff.
    let dataPooled: Bool
    /// AOFU tariffs: the bundle's price; `null` otherwise.
    let bundlePrice: Int64?
    /// AOFU tariffs: the price of each MB topped up; `null` otherwise.
    let topUpPricePerMB: Int64?
    /// When the operator set it.
    let createdAt: Date

    /// The JSON field names, snake_case as the API writes them.
    enum CodingKeys: String, CodingKey {
        case object, tariff, currency
        case effectiveFrom = "effective_from"
        case monthlyFees = "monthly_fees"
        case includedMB = "included_mb"
        case dataPricePerMB = "data_price_per_mb"
        case dataPooled = "data_pooled"
        case bundlePrice = "bundle_price"
        case topUpPricePerMB = "top_up_price_per_mb"
        case createdAt = "created_at"
    }

    /// The API's view of `price`.
    init(_ price: TariffPrice) {
        object = "tariff_price"
        tariff = price.tariffNumber
        effectiveFrom = price.effectiveFrom
        currency = price.currency
        monthlyFees = Dictionary(uniqueKeysWithValues: price.monthlyFees.map { ($0.key.rawValue, $0.value) })
        includedMB = Int64(price.includedBytes / DataBundle.bytesPerMegabyte)
        dataPricePerMB = price.dataPricePerMB
        dataPooled = price.dataPooled
        bundlePrice = price.bundlePrice
        topUpPricePerMB = price.topUpPricePerMB
        createdAt = price.createdAt
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(object, forKey: .object)
        try container.encode(tariff, forKey: .tariff)
        try container.encode(effectiveFrom, forKey: .effectiveFrom)
        try container.encode(currency, forKey: .currency)
        try container.encode(monthlyFees, forKey: .monthlyFees)
        try container.encode(includedMB, forKey: .includedMB)
        try container.encode(dataPricePerMB, forKey: .dataPricePerMB)
        try container.encode(dataPooled, forKey: .dataPooled)
        try container.encode(bundlePrice, forKey: .bundlePrice)
        try container.encode(topUpPricePerMB, forKey: .topUpPricePerMB)
        try container.encode(createdAt, forKey: .createdAt)
    }
}
