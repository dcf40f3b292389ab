import Foundation
import SimGateTestSupport
import Testing

@Suite("Tariff prices")
struct TariffPriceTests {
    @Test("a tariff keeps every price from its date; customers read those of tariffs offered to them", arguments: TestEngine.available)
    func history(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let (_, otherKey) = try await app.makeCustomer("Scooters")
            _ = try await app.request(.post, "/v1/tariffs", key: app.operatorKey, json: ["number": 5, "name": "Bikes", "kind": "standard", "accounts": [account]])
            let first = try await app.request(.post, "/v1/tariffs/5/prices", key: app.operatorKey, json: [
                "currency": "EUR", "monthly_fees": ["LIVE": 200, "OFFLINE": 50], "included_mb": 100, "data_price_per_mb": 2, "data_pooled": true,
            ])
            #expect(first.status == 201, "\(first.text)")
            #expect(first.json["bundle_price"] is NSNull && (first.json["monthly_fees"] as? [String: Int])?["LIVE"] == 200)
            let later = RFC3339Text.format(app.clock.now() + 10 * 86_400)
            let second = try await app.request(.post, "/v1/tariffs/5/prices", key: app.operatorKey, json: [
                "currency": "EUR", "monthly_fees": ["LIVE": 250], "effective_from": later,
            ])
            #expect(second.status == 201, "\(second.text)")
            let listed = try await app.request(.get, "/v1/tariffs/5/prices", key: key).items
            #expect(listed.map { ($0["monthly_fees"] as? [String: Int])?["LIVE"] } == [200, 250], "oldest first")
            #expect(try await app.request(.get, "/v1/tariffs/5/prices", key: otherKey).status == 404)
            // The customer's view of the tariff has `accounts` null, as documented, not left out.
            let seen = try await app.request(.get, "/v1/tariffs/5", key: key)
            #expect(seen.status == 200 && seen.json["accounts"] is NSNull, "\(seen.text)")
            #expect((try await app.request(.get, "/v1/tariffs/5", key: app.operatorKey).json["accounts"] as? [String]) == [account])
            #expect(try await app.request(.post, "/v1/tariffs/5/prices", key: key, json: ["currency": "EUR"]).status == 403)
            let again = try await app.request(.post, "/v1/tariffs/5/prices", key: app.operatorKey, json: ["currency": "EUR", "effective_from": later])
            #expect(again.status == 409 && again.code == "price_exists")
        }
    }

    @Test("bad prices are refused naming the field; money is whole minor units", arguments: [TestEngine.sqlite])
    func badPrices(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            _ = try await app.request(.post, "/v1/tariffs", key: app.operatorKey, json: ["number": 5, "name": "Bikes", "kind": "standard"])
            _ = try await app.request(.post, "/v1/tariffs", key: app.operatorKey, json: ["number": 6, "name": "AOFU", "kind": "aofu"])
            let lastMonth = RFC3339Text.format(app.clock.now() - 40 * 86_400)
            let cases: [(Int, [String: Any], String, String)] = [
                (5, [:], "parameter_missing", "currency"),
                (5, ["currency": "EURO"], "invalid_currency", "currency"),
                (5, ["currency": "eur"], "invalid_currency", "currency"),
                (5, ["currency": "XYZ"], "invalid_currency", "currency"),
                (5, ["currency": "EUR", "monthly_fees": ["ACTIVE": 1]], "invalid_status", "monthly_fees.ACTIVE"),
                (5, ["currency": "EUR", "monthly_fees": ["LIVE": 2.5]], "value_out_of_range", "monthly_fees.LIVE"),
                (5, ["currency": "EUR", "monthly_fees": ["LIVE": -1]], "value_out_of_range", "monthly_fees.LIVE"),
                (5, ["currency": "EUR", "data_price_per_mb": 1e30], "value_out_of_range", "data_price_per_mb"),
                (5, ["currency": "EUR", "included_mb": -1], "value_out_of_range", "included_mb"),
                (5, ["currency": "EUR", "bundle_price": 100], "aofu_only", "bundle_price"),
                (5, ["currency": "EUR", "effective_from": lastMonth], "effective_from_in_closed_month", "effective_from"),
                (5, ["currency": "EUR", "effective_from": "tomorrow"], "invalid_date", "effective_from"),
                // Foundation's parser read this as 3 March 02:02:01 rather than refuse it.
                (5, ["currency": "EUR", "effective_from": "2027-02-30T25:61:61Z"], "invalid_date", "effective_from"),
                (5, ["currency": "EUR", "price": 1], "unknown_parameter", "price"),
            ]
            for (tariff, body, code, param) in cases {
                let reply = try await app.request(.post, "/v1/tariffs/\(tariff)/prices", key: app.operatorKey, json: body)
                #expect(reply.status == 400 && reply.code == code && reply.param == param, "\(body): \(reply.text)")
            }
            // A fee with more digits than a Double keeps was read as a Double and stored whole (3,
            // 1000000000000); a price's start in the query string was ignored, the price starting now.
            for fee in ["2.99999999999999999999", "999999999999.99999999"] {
                let reply = try await app.request(.post, "/v1/tariffs/5/prices", key: app.operatorKey, rawBody: #"{"currency": "EUR", "monthly_fees": {"LIVE": \#(fee)}}"#)
                #expect(reply.status == 400 && reply.code == "value_out_of_range" && reply.param == "monthly_fees.LIVE", "\(fee): \(reply.text)")
            }
            let misplaced = try await app.request(.post, "/v1/tariffs/5/prices?effective_from=2030-01-01T00:00:00Z", key: app.operatorKey, json: ["currency": "EUR"])
            #expect(misplaced.status == 400 && misplaced.code == "unknown_parameter" && misplaced.param == "effective_from", "\(misplaced.text)")
            #expect(try await app.request(.get, "/v1/tariffs/5/prices", key: app.operatorKey).items.isEmpty, "nothing was stored")
            let aofu = try await app.request(.post, "/v1/tariffs/6/prices", key: app.operatorKey, json: ["currency": "EUR", "bundle_price": 300, "top_up_price_per_mb": 1])
            #expect(aofu.status == 201)
            let otherCurrency = try await app.request(.post, "/v1/tariffs/6/prices", key: app.operatorKey, json: [
                "currency": "USD", "effective_from": RFC3339Text.format(app.clock.now() + 86_400),
            ])
            #expect(otherCurrency.code == "currency_changed")
            #expect(try await app.request(.post, "/v1/tariffs/99/prices", key: app.operatorKey, json: ["currency": "EUR"]).status == 404)
            // A tariff has one URL: its number as it is written, no sign, no leading zero.
            #expect(try await app.request(.get, "/v1/tariffs/6", key: app.operatorKey).status == 200)
            for alias in ["+6", "06", "%36"] {
                #expect(try await app.request(.get, "/v1/tariffs/\(alias)", key: app.operatorKey).status == 404, "\(alias)")
                #expect(try await app.request(.get, "/v1/tariffs/\(alias)/prices", key: app.operatorKey).status == 404, "\(alias)")
            }
        }
    }
}
