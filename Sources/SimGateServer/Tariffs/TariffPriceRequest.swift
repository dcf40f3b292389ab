import Foundation
import SimGateCore

/// Body of `POST /v1/tariffs/{number}/prices`: what the tariff costs from `effective_from` on.
struct TariffPriceRequest: Decodable {
    /// ISO 4217 code.
    let currency: String
    /// Monthly fee per SIM by status, in minor units.
    let monthlyFees: [SimStatus: Int64]
    /// MB included in the monthly fee, per SIM (or pooled) and month.
    let includedMB: Int64
    /// Minor units per MB beyond what is included.
    let dataPricePerMB: Int64
    /// Whether included data is pooled across the account's SIMs on the tariff.
    let dataPooled: Bool
    /// AOFU tariffs: the bundle's price.
    let bundlePrice: Int64?
    /// AOFU tariffs: the price of each MB topped up.
    let topUpPricePerMB: Int64?
    /// From when it is in force; now when left out.
    let effectiveFrom: Date?

    /// The fields the body may have; any other is refused.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case currency
        case monthlyFees = "monthly_fees"
        case includedMB = "included_mb"
        case dataPricePerMB = "data_price_per_mb"
        case dataPooled = "data_pooled"
        case bundlePrice = "bundle_price"
        case topUpPricePerMB = "top_up_price_per_mb"
        case effectiveFrom = "effective_from"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        guard let currency = try container.decodeIfPresent(String.self, forKey: .currency) else {
            throw APIError.invalid("parameter_missing", "'currency' is required, an ISO 4217 code such as EUR.", param: "currency")
        }
        guard TariffPrice.isCurrency(currency) else {
            throw APIError.invalid("invalid_currency", "'currency' must be an ISO 4217 code in capitals, such as EUR.", param: "currency")
        }
        self.currency = currency
        let amounts = 0...TariffPrice.maximumAmount
        var fees: [SimStatus: Int64] = [:]
        if container.contains(.monthlyFees), try !container.decodeNil(forKey: .monthlyFees) {
            // Each fee read exactly: decoded as any JSON value, a fraction with more digits
            // than a Double holds (2.99999999999999999999) came back whole and was stored as 3.
            let nested = try container.nestedContainer(keyedBy: AnyCodingKey.self, forKey: .monthlyFees)
            for key in nested.allKeys {
                let param = "monthly_fees.\(key.stringValue.prefix(40))"
                guard let status = SimStatus(rawValue: key.stringValue) else {
                    throw APIError.invalid("invalid_status", "'\(param)': the fees are keyed by status: INVENTORY, LIVE, OFFLINE, UNPROVISIONED, RETIRED.", param: param)
                }
                let read = try? nested.decodeWholeNumber(key)
                guard case .value(let amount)? = read, amounts.contains(amount) else {
                    throw APIError.invalid("value_out_of_range", "'\(param)' is a whole number of minor units from 0 to \(TariffPrice.maximumAmount).", param: param)
                }
                fees[status] = amount
            }
        }
        monthlyFees = fees
        let maximumMB = Int64(UInt64(Int64.max) / DataBundle.bytesPerMegabyte)
        includedMB = try Self.amount(container, .includedMB, in: 0...maximumMB) ?? 0
        dataPricePerMB = try Self.amount(container, .dataPricePerMB, in: amounts) ?? 0
        dataPooled = try container.decodeIfPresent(Bool.self, forKey: .dataPooled) ?? false
        bundlePrice = try Self.amount(container, .bundlePrice, in: amounts)
        topUpPricePerMB = try Self.amount(container, .topUpPricePerMB, in: amounts)
        if let text = try container.decodeIfPresent(String.self, forKey: .effectiveFrom) {
            guard let date = RFC3339.date(from: text) else {
                throw APIError.invalid("invalid_date", "'effective_from' must be an RFC 3339 time.", param: "effective_from")
            }
            effectiveFrom = date
        } else {
            effectiveFrom = nil
        }
    }

    /// A whole number in `range`, naming the field when it is not.
    private static func amount(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys, in range: ClosedRange<Int64>) throws -> Int64? {
        guard let value = try container.decodeInteger(key) else { return nil }
        guard range.contains(value) else {
            throw APIError.invalid("value_out_of_range", "'\(key.stringValue)' is \(range.lowerBound) to \(range.upperBound).", param: key.stringValue)
        }
        return value
    }
}
