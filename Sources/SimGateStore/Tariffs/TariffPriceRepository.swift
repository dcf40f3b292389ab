import Foundation
import SimGateCore
import SQLKit

extension TariffRepository {
    /// Stores a price; `false` when the tariff already has one from that very instant.
    public func insertPrice(_ price: TariffPrice) async throws -> Bool {
        let fees = String(decoding: try JSONEncoder().encode(Dictionary(uniqueKeysWithValues: price.monthlyFees.map { ($0.key.rawValue, $0.value) })), as: UTF8.self)
        let rows = try await db.insert(into: "tariff_prices").columns(
            "tariff_number", "effective_from", "currency", "monthly_fees", "included_bytes", "data_price_per_mb", "data_pooled",
            "bundle_price", "top_up_price_per_mb", "created_at"
        ).values(
            SQLBind(Int64(price.tariffNumber)), SQLBind(price.effectiveFrom.stored), SQLBind(price.currency), SQLBind(fees),
            SQLBind(Int64(price.includedBytes)), SQLBind(price.dataPricePerMB), SQLBind(price.dataPooled ? 1 : 0),
            SQLBind(price.bundlePrice), SQLBind(price.topUpPricePerMB), SQLBind(price.createdAt.stored)
        ).ignoringConflicts(with: ["tariff_number", "effective_from"]).returning(SQLColumn("tariff_number")).all()
        return !rows.isEmpty
    }

    /// Every price the tariff has had, oldest first.
    public func prices(of number: Int) async throws -> [TariffPrice] {
        try await db.select().column("*").from("tariff_prices").where("tariff_number", .equal, Int64(number))
            .orderBy("effective_from").limit(10_000).all().map(Self.price)
    }

    /// Reads a `tariff_prices` row.
    static func price(_ row: any SQLRow) throws -> TariffPrice {
        let feesText = try row.string("monthly_fees")
        var fees: [SimStatus: Int64] = [:]
        for (status, amount) in try StoredJSON.decode([String: Int64].self, from: feesText, column: "monthly_fees") {
            guard let status = SimStatus(rawValue: status) else { throw StoreError.corruptRow(table: "tariff_prices", column: "monthly_fees", value: feesText) }
            fees[status] = amount
        }
        return TariffPrice(
            tariffNumber: Int(try row.int64("tariff_number")), effectiveFrom: try row.date("effective_from"), currency: try row.string("currency"),
            monthlyFees: fees, includedBytes: try row.byteCount("included_bytes", table: "tariff_prices"),
            dataPricePerMB: try row.int64("data_price_per_mb"), dataPooled: try row.int("data_pooled") != 0,
            bundlePrice: try row.optionalInt64("bundle_price"), topUpPricePerMB: try row.optionalInt64("top_up_price_per_mb"),
            createdAt: try row.date("created_at")
        )
    }
}
