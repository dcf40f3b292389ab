import Foundation
@testable import SimGateServer
import SimGateTestSupport
import Testing

@Suite("Braintree and generic payments")
struct BraintreeAndGenericFlowTests {
    static func notification(kind: String, subscription: String, paidThrough: String, timestamp: String = "2027-01-01T10:00:00Z") -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <notification>
          <timestamp type="datetime">\(timestamp)</timestamp>
          <kind>\(kind)</kind>
          <subject>
            <subscription>
              <id>\(subscription)</id>
              <status>Active</status>
              <billing-period-start-date type="date">2027-01-01</billing-period-start-date>
              <billing-period-end-date type="date">\(paidThrough)</billing-period-end-date>
              <paid-through-date type="date">\(paidThrough)</paid-through-date>
              <next-billing-date type="date">2027-02-01</next-billing-date>
              <failure-count type="integer">0</failure-count>
            </subscription>
          </subject>
        </notification>
        """
    }

    @Test("a signed Braintree form with a multi-line payload makes the bound SIM LIVE; any configured key pair verifies", arguments: TestEngine.available)
    func braintree(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            app.clock.set(try Date("2027-01-01T10:00:00Z", strategy: .iso8601))
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let gateway = try await app.makeGateway(key: key, ["kind": "braintree", "braintree_keys": [
                ["public_key": "pub_old", "private_key": "priv_old"], ["public_key": "pub_new", "private_key": "priv_new"],
            ]])
            _ = try await app.request(.post, "/v1/billing_bindings", key: key, json: ["gateway": gateway, "subscription": "bt-sub-7", "sim": sim])
            let xml = Self.notification(kind: "subscription_charged_successfully", subscription: "bt-sub-7", paidThrough: "2027-01-31")
            let reply = try await app.sendBraintree(xml: xml, gateway: gateway, key: .init(publicKey: "pub_new", privateKey: "priv_new"))
            #expect(reply.status == 200, "\(reply.text)")
            let live = try await app.waitForSim(sim, key: key) { $0["status"] as? String == "LIVE" }
            let binding = ((live["billing"] as? [String: Any])?["bindings"] as? [[String: Any]])?.first
            #expect(binding?["paid_until"] as? String == "2027-02-01T00:00:00.000Z")

            // Same notification again (Braintree retries hourly): a duplicate.
            let again = try await app.sendBraintree(xml: xml, gateway: gateway, key: .init(publicKey: "pub_old", privateKey: "priv_old"))
            #expect(again.json["duplicate"] as? Bool == true)
            // Thousands of wrong pairs naming a configured key ahead of the right one (each
            // used to cost an HMAC over the whole payload): still verified.
            let padded = try await app.sendBraintree(
                xml: xml, gateway: gateway, key: .init(publicKey: "pub_new", privateKey: "priv_new"), pairsBefore: Array(repeating: "pub_new|00", count: 5_000)
            )
            #expect(padded.status == 200 && padded.json["duplicate"] as? Bool == true, "\(padded.text)")
            // A key pair that is not configured, and a broken document.
            #expect(try await app.sendBraintree(xml: xml, gateway: gateway, key: .init(publicKey: "pub_new", privateKey: "stolen")).code == "signature_invalid")
            #expect(try await app.sendBraintree(xml: "<notification><kind>", gateway: gateway, key: .init(publicKey: "pub_new", privateKey: "priv_new")).code == "payload_invalid")

            let canceled = Self.notification(kind: "subscription_canceled", subscription: "bt-sub-7", paidThrough: "2027-01-31", timestamp: "2027-01-05T10:00:00Z")
            app.clock.set(try Date("2027-01-05T10:00:00Z", strategy: .iso8601))
            try await app.sendBraintree(xml: canceled, gateway: gateway, key: .init(publicKey: "pub_new", privateKey: "priv_new"))
            try await app.waitForGatewayEvents(key: key)
            // end_of_period by default: still LIVE until the paid-through day is over.
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: key)["status"] == "LIVE")
            app.clock.set(try Date("2027-02-01T00:00:01Z", strategy: .iso8601))
            try await app.waitForSim(sim, key: key) { $0["status"] as? String == "OFFLINE" }
        }
    }

    @Test("a check notification is answered 200 and ignored")
    func braintreeCheck() async throws {
        try await TestHarness.run(.sqlite) { app in
            let (_, key) = try await app.makeCustomer("E-Bikes")
            let gateway = try await app.makeGateway(key: key, ["kind": "braintree", "braintree_keys": [["public_key": "pub", "private_key": "priv_key"]]])
            let check = "<notification><timestamp>2027-01-01T00:00:00Z</timestamp><kind>check</kind><subject><check>true</check></subject></notification>"
            #expect(try await app.sendBraintree(xml: check, gateway: gateway, key: .init(publicKey: "pub", privateKey: "priv_key")).status == 200)
            try await app.waitForGatewayEvents(key: key)
            #expect(try await app.request(.get, "/v1/gateway_events?status=ignored", key: key).items.count == 1)
        }
    }

    @Test("a generic Standard Webhooks event binds by IMEI and pays; cancellation with immediate policy stops at once", arguments: TestEngine.available)
    func generic(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            try await app.setIMEI(Fixtures.imei(4), on: sim)
            let created = try await app.request(.post, "/v1/payment_gateways", key: key, json: ["kind": "generic", "cancellation": "immediately"])
            let gateway = try #require(created["id"])
            let secret = try #require(created["secret"])
            #expect(try await app.request(.get, "/v1/payment_gateways/\(gateway)", key: key).json["secret"] == nil)

            let paidUntil = RFC3339.string(from: app.clock.now() + 30 * 86_400)
            let paid = try await app.sendGeneric(["type": "payment.succeeded", "subscription": "contract-1", "imei": Fixtures.imei(4), "paid_until": paidUntil], id: "msg_1", gateway: gateway, secret: secret)
            #expect(paid.status == 200, "\(paid.text)")
            try await app.waitForSim(sim, key: key) { $0["status"] as? String == "LIVE" }
            let replay = try await app.sendGeneric(["type": "payment.succeeded", "subscription": "contract-1", "paid_until": paidUntil], id: "msg_1", gateway: gateway, secret: secret)
            #expect(replay.json["duplicate"] as? Bool == true)
            // A time finer than milliseconds is cut to its millisecond, never rounded up.
            let precise = try await app.sendGeneric(["type": "payment.succeeded", "subscription": "contract-1", "paid_until": "2099-01-01T00:00:00.9999Z"], id: "msg_1b", gateway: gateway, secret: secret)
            #expect(precise.status == 200, "\(precise.text)")
            try await app.waitForGatewayEvents(key: key)
            #expect(try await app.request(.get, "/v1/billing_bindings", key: key).items.first?["paid_until"] as? String == "2099-01-01T00:00:00.999Z")
            #expect(try await app.sendGeneric(["type": "payment.succeeded", "subscription": "c"], id: "msg_2", gateway: gateway, secret: secret).code == "payload_invalid")
            #expect(try await app.sendGeneric(["type": "payment.failed", "subscription": "c"], id: "msg_3", gateway: gateway, secret: "whsec_" + Data(repeating: 7, count: 32).base64EncodedString()).code == "signature_invalid")

            // A cancellation dated ahead is in force from its telling: dated 9999, it kept the SIM
            // LIVE to the end of its paid period on a gateway set to cut off at once.
            let canceledAt = app.clock.now()
            try await app.sendGeneric(["type": "subscription.canceled", "subscription": "contract-1", "occurred_at": "9999-12-31T23:59:59Z"], id: "msg_4", gateway: gateway, secret: secret)
            try await app.waitForSim(sim, key: key) { $0["status"] as? String == "OFFLINE" }
            #expect(try await app.request(.get, "/v1/billing_bindings", key: key).items.first?["ended_at"] as? String == RFC3339.string(from: canceledAt))
        }
    }

    /// On PostgreSQL, which keeps no NUL in text and no index entry past 8 KB, a signed event
    /// with a NUL in its id, type or subscription, or an id of thousands of characters, was
    /// answered 500 (the gateway then resends it for days); a NUL in its metadata's ICCID left
    /// it `received` for good, its job failing on the message that quoted the ICCID.
    @Test("text no gateway sends (a NUL, thousands of characters) is refused by field or filed with its reason, never a 500 or a stuck event", arguments: TestEngine.available)
    func hostileText(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let iccid = try #require(try await app.request(.get, "/v1/sims/\(sim)", key: key)["iccid"])
            let created = try await app.request(.post, "/v1/payment_gateways", key: key, json: ["kind": "generic"])
            let gateway = try #require(created["id"])
            let secret = try #require(created["secret"])
            let paidUntil = RFC3339.string(from: app.clock.now() + 30 * 86_400)

            let longID = try await app.sendGeneric(["type": "payment.succeeded", "subscription": "c-1", "paid_until": paidUntil],
                                                   id: String((0..<3_000).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement()! }), gateway: gateway, secret: secret)
            #expect(longID.status == 400 && longID.code == "payload_invalid" && longID["param"] == "webhook-id", "\(longID.text)")
            let nulType = try await app.sendGeneric(["type": "payment.\u{0}succeeded", "subscription": "c-1"], id: "msg_type", gateway: gateway, secret: secret)
            #expect(nulType.status == 400 && nulType["param"] == "type", "\(nulType.text)")

            let separatorSubscription = try await app.sendGeneric(["type": "payment.succeeded", "subscription": "\u{2028}", "paid_until": paidUntil], id: "msg_sep", gateway: gateway, secret: secret)
            #expect(separatorSubscription.status == 400 && separatorSubscription["param"] == "subscription", "a line separator says nothing: \(separatorSubscription.text)")
            let nulSubscription = try await app.sendGeneric(["type": "payment.succeeded", "subscription": "c\u{0}1", "paid_until": paidUntil], id: "msg_sub", gateway: gateway, secret: secret)
            #expect(nulSubscription.status == 400 && nulSubscription["param"] == "subscription", "\(nulSubscription.text)")
            let nulICCID = try await app.sendGeneric(["type": "payment.succeeded", "subscription": "c-2", "iccid": iccid + "\u{0}", "paid_until": paidUntil], id: "msg_iccid", gateway: gateway, secret: secret)
            #expect(nulICCID.status == 200, "\(nulICCID.text)")
            try await app.waitForGatewayEvents(key: key)
            let filed = Dictionary(uniqueKeysWithValues: try await app.request(.get, "/v1/gateway_events?limit=10", key: key).items.map {
                ($0["external_id"] as? String ?? "?", ($0["status"] as? String ?? "", $0["outcome"] as? String ?? ""))
            })
            #expect(filed["msg_iccid"]?.0 == "unbound" && filed["msg_iccid"]?.1.contains("\\u{0}'") == true, "\(filed)")
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: key)["status"] == "INVENTORY", "nothing bound, nothing paid")

            let stripe = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [PaymentEdgesTests.secret]])
            let start = app.clock.now()
            for (field, event) in [
                ("id", StripeEvents.invoicePaid(id: "evt_nul\u{0}x", subscription: "sub_1", periodStart: start, periodEnd: start + 86_400, created: start)),
                ("id", StripeEvents.invoicePaid(id: "evt_" + String((0..<3_000).map { _ in "0123456789abcdef".randomElement()! }), subscription: "sub_1", periodStart: start, periodEnd: start + 86_400, created: start)),
            ] {
                let reply = try await app.sendStripe(event, gateway: stripe, secret: PaymentEdgesTests.secret)
                #expect(reply.status == 400 && reply.code == "payload_invalid" && reply["param"] == field, "\(reply.text)")
            }
            // A field missing is named by itself (the message listed all four, with no param).
            for (field, event) in [
                ("created", ["id": "evt_nc", "object": "event", "type": "invoice.paid", "data": ["object": ["object": "invoice"]]] as [String: Any]),
                ("data.object", ["id": "evt_nd", "object": "event", "type": "invoice.paid", "created": Int(start.timeIntervalSince1970), "data": [:] as [String: Any]]),
                ("type", ["id": "evt_nt", "object": "event", "created": Int(start.timeIntervalSince1970), "data": ["object": ["object": "invoice"]]]),
            ] {
                let reply = try await app.sendStripe(event, gateway: stripe, secret: PaymentEdgesTests.secret)
                #expect(reply.status == 400 && reply.code == "payload_invalid" && reply["param"] == field, "\(reply.text)")
            }
            let blankID = try await app.sendStripe(StripeEvents.invoicePaid(id: " ", subscription: "sub_1", periodStart: start, periodEnd: start + 86_400, created: start), gateway: stripe, secret: PaymentEdgesTests.secret)
            #expect(blankID.status == 400 && blankID["param"] == "id", "\(blankID.text)")
            let reversed = try await app.sendStripe(["id": "evt_rev", "object": "event", "type": "charge.refunded\u{202E}x", "created": Int(start.timeIntervalSince1970), "data": ["object": ["object": "charge"]]],
                                                    gateway: stripe, secret: PaymentEdgesTests.secret)
            #expect(reversed.status == 200, "\(reversed.text)")
            let nulStripeSubscription = try await app.sendStripe(
                StripeEvents.invoicePaid(id: "evt_sub", subscription: "sub_\u{0}", periodStart: start, periodEnd: start + 86_400, created: start), gateway: stripe, secret: PaymentEdgesTests.secret
            )
            #expect(nulStripeSubscription.status == 200, "\(nulStripeSubscription.text)")
            try await app.waitForGatewayEvents(key: key)
            let stripeFiled = try await app.request(.get, "/v1/gateway_events?limit=2", key: key).items
            #expect(stripeFiled.first?["status"] as? String == "ignored" && (stripeFiled.first?["outcome"] as? String)?.contains("control characters") == true, "\(stripeFiled)")
            #expect((stripeFiled.last?["outcome"] as? String)?.contains("'charge.refunded\\u{202E}x'") == true, "a right-to-left override is shown escaped: \(stripeFiled)")
        }
    }
}

extension TestHarness {
    /// Binds a device to a SIM as the network will when it reports the IMEI.
    func setIMEI(_ imei: String, on simID: String) async throws {
        try await database.sqlTransaction { db in
            try await db.update("sims").set("imei", to: imei).where("id", .equal, simID).run()
        }
    }
}
