import Foundation
@testable import SimGateServer
import SimGateTestSupport
import Testing

@Suite("Stripe payments drive SIM state")
struct StripeFlowTests {
    static let secret = "whsec_test_6f1c2b"
    static let day: TimeInterval = 86_400

    @Test("checkout binds the bike's SIM, a paid invoice makes it LIVE, cancellation stops it at the end of the paid period", arguments: TestEngine.available)
    func eBikesFlow(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [Self.secret], "cancellation": "end_of_period"])
            let now = app.clock.now()

            #expect(try await app.sendStripe(StripeEvents.checkoutCompleted(id: "evt_checkout", subscription: "sub_1", iccid: Fixtures.iccid(0), created: now), gateway: gateway, secret: Self.secret).status == 200)
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_inv_1", subscription: "sub_1", periodStart: now, periodEnd: now + 30 * Self.day, created: now), gateway: gateway, secret: Self.secret)
            let live = try await app.waitForSim(sim, key: key) { $0["status"] as? String == "LIVE" }
            let billing = try #require(live["billing"] as? [String: Any])
            let binding = try #require((billing["bindings"] as? [[String: Any]])?.first)
            #expect(binding["subscription"] as? String == "sub_1")
            #expect(binding["paid_until"] as? String == RFC3339.string(from: now + 30 * Self.day))

            app.clock.advance(by: 5 * Self.day)
            try await app.sendStripe(StripeEvents.subscriptionDeleted(id: "evt_del", subscription: "sub_1", endedAt: app.clock.now(), created: app.clock.now()), gateway: gateway, secret: Self.secret)
            try await app.waitForGatewayEvents(key: key)
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: key)["status"] == "LIVE")

            // No webhook says the period ended: the scheduled evaluation does.
            app.clock.advance(by: 25 * Self.day + 1)
            let offline = try await app.waitForSim(sim, key: key) { $0["status"] as? String == "OFFLINE" }
            #expect((offline["holds"] as? [[String: Any]])?.map { $0["cause"] as? String } == ["payment"])

            // A later renewal cannot revive an ended subscription.
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_inv_late", subscription: "sub_1", periodStart: now, periodEnd: now + 20 * Self.day, created: app.clock.now()), gateway: gateway, secret: Self.secret)
            try await app.waitForGatewayEvents(key: key)
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: key)["status"] == "OFFLINE")

            let history = try await app.request(.get, "/v1/sims/\(sim)/events?limit=100", key: key)
            let holdEvent = try #require(history.items.first { $0["type"] as? String == "sim.hold_placed" })
            #expect(((holdEvent["cause"] as? [String: Any])?["actor"] as? [String: Any])?["type"] as? String == "scheduler")
            let liveEvent = try #require(history.items.last { $0["type"] as? String == "sim.status_changed" })
            #expect(((liveEvent["cause"] as? [String: Any])?["actor"] as? [String: Any])?["id"] as? String == "evt_inv_1")
        }
    }

    @Test("a failed payment keeps data flowing for the grace period, then holds it; paying lifts the hold", arguments: TestEngine.available)
    func graceThenRecovery(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [Self.secret], "grace_period_hours": 48])
            _ = try await app.request(.post, "/v1/billing_bindings", key: key, json: ["gateway": gateway, "subscription": "sub_g", "sim": sim])
            let start = app.clock.now()
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_1", subscription: "sub_g", periodStart: start, periodEnd: start + Self.day, created: start, legacy: true), gateway: gateway, secret: Self.secret)
            try await app.waitForSim(sim, key: key) { $0["status"] as? String == "LIVE" }

            app.clock.advance(by: Self.day)
            try await app.sendStripe(StripeEvents.paymentFailed(id: "evt_2", subscription: "sub_g", created: app.clock.now()), gateway: gateway, secret: Self.secret)
            try await app.waitForGatewayEvents(key: key)
            app.clock.advance(by: Self.day)
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: key)["status"] == "LIVE")
            app.clock.advance(by: Self.day + 1)
            try await app.waitForSim(sim, key: key) { $0["status"] as? String == "OFFLINE" }

            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_3", subscription: "sub_g", periodStart: app.clock.now(), periodEnd: app.clock.now() + 30 * Self.day, created: app.clock.now()), gateway: gateway, secret: Self.secret)
            try await app.waitForSim(sim, key: key) { $0["status"] as? String == "LIVE" }
        }
    }

    @Test("deleting the last binding takes payments out of the SIM's state: its payment hold is lifted")
    func deletingBindingLiftsHold() async throws {
        try await TestHarness.run(.sqlite) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [Self.secret], "cancellation": "immediately"])
            let binding = try #require(try await app.request(.post, "/v1/billing_bindings", key: key, json: ["gateway": gateway, "subscription": "sub_x", "sim": sim])["id"])
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_p", subscription: "sub_x", periodStart: app.clock.now(), periodEnd: app.clock.now() + Self.day, created: app.clock.now()), gateway: gateway, secret: Self.secret)
            try await app.waitForSim(sim, key: key) { $0["status"] as? String == "LIVE" }
            try await app.sendStripe(StripeEvents.subscriptionDeleted(id: "evt_d", subscription: "sub_x", endedAt: app.clock.now(), created: app.clock.now()), gateway: gateway, secret: Self.secret)
            try await app.waitForSim(sim, key: key) { $0["status"] as? String == "OFFLINE" }

            let deleted = try await app.request(.delete, "/v1/billing_bindings/\(binding)", key: key)
            #expect(deleted.status == 200)
            let after = try await app.request(.get, "/v1/sims/\(sim)", key: key)
            #expect(after["status"] == "LIVE")
            #expect(((after.json["billing"] as? [String: Any])?["bindings"] as? [Any])?.isEmpty == true)
            #expect(try await app.request(.get, "/v1/events?type=billing_binding.deleted", key: key).items.count == 1)
        }
    }

    @Test("a duplicate delivery is answered 200 and changes nothing", arguments: TestEngine.available)
    func duplicates(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            try await app.importSims(0..<1, account: account)
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [Self.secret]])
            let event = StripeEvents.invoicePaid(id: "evt_dup", subscription: "sub_d", periodStart: app.clock.now(), periodEnd: app.clock.now() + Self.day,
                                                 created: app.clock.now(), metadata: ["iccid": Fixtures.iccid(0)])
            let first = try await app.sendStripe(event, gateway: gateway, secret: Self.secret)
            app.clock.advance(by: 10)  // Stripe re-signs retries with a new timestamp
            let second = try await app.sendStripe(event, gateway: gateway, secret: Self.secret)
            #expect(first.json["duplicate"] as? Bool == false)
            #expect(second.status == 200)
            #expect(second.json["duplicate"] as? Bool == true)
            try await app.waitForGatewayEvents(key: key)
            #expect(try await app.request(.get, "/v1/gateway_events", key: key).items.count == 1)
            #expect(try await app.request(.get, "/v1/events?type=billing_binding.updated", key: key).items.count == 1)
        }
    }

    @Test("an event for an unknown subscription is kept and applied once a binding appears", arguments: TestEngine.available)
    func unboundThenBound(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [Self.secret]])
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_early", subscription: "sub_late", periodStart: app.clock.now(), periodEnd: app.clock.now() + Self.day, created: app.clock.now()), gateway: gateway, secret: Self.secret)
            try await app.waitForGatewayEvents(key: key)
            let stored = try await app.request(.get, "/v1/gateway_events", key: key).items
            #expect(stored.first?["status"] as? String == "unbound")
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: key)["status"] == "INVENTORY")

            let binding = try await app.request(.post, "/v1/billing_bindings", key: key, json: ["gateway": gateway, "subscription": "sub_late", "sim": Fixtures.iccid(0)])
            #expect(binding.status == 201)
            try await app.waitForSim(sim, key: key) { $0["status"] as? String == "LIVE" }
            #expect(try await app.request(.get, "/v1/gateway_events?status=applied", key: key).items.count == 1)
        }
    }

    @Test("tampered, stale, wrongly signed, oversized and malformed webhooks get a clear 4xx and store nothing")
    func refusals() async throws {
        try await TestHarness.run(.sqlite) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            try await app.importSims(0..<1, account: account)
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [Self.secret]])
            let event = StripeEvents.invoicePaid(id: "evt_x", subscription: "sub_x", periodStart: app.clock.now(), periodEnd: app.clock.now() + Self.day, created: app.clock.now())
            let body = String(decoding: try JSONSerialization.data(withJSONObject: event), as: UTF8.self)
            let header = StripeSignature.header(body: Data(body.utf8), secret: Self.secret, time: app.clock.now())

            func post(_ body: String, _ header: String?) async throws -> TestReply {
                try await app.request(.post, "/webhooks/stripe/\(gateway)", key: nil, rawBody: body, headers: header.map { ["Stripe-Signature": $0] } ?? [:])
            }
            #expect(try await post(body.replacingOccurrences(of: "sub_x", with: "sub_y"), header).code == "signature_invalid")
            #expect(try await post(body, nil).code == "signature_missing")
            #expect(try await post(body, StripeSignature.header(body: Data(body.utf8), secret: "whsec_wrong", time: app.clock.now())).code == "signature_invalid")
            #expect(try await post(body, StripeSignature.header(body: Data(body.utf8), secret: Self.secret, time: app.clock.now() - 600)).code == "timestamp_out_of_tolerance")
            let garbage = "{\"id\": \"evt_1\", \"type\": "
            #expect(try await post(garbage, StripeSignature.header(body: Data(garbage.utf8), secret: Self.secret, time: app.clock.now())).code == "payload_invalid")
            // Signed, but paid until a time no RFC 3339 text writes: once taken as a paid
            // period to year 506713 (1e300), 10000 or 4712 BC.
            for end in ["1e300", "253402300800", "-1e12"] {
                let far = body.replacingOccurrences(of: "\"end\":\(Int((app.clock.now() + Self.day).timeIntervalSince1970))", with: "\"end\":\(end)")
                #expect(far != body)
                let refused = try await post(far, StripeSignature.header(body: Data(far.utf8), secret: Self.secret, time: app.clock.now()))
                #expect(refused.code == "payload_invalid", "\(end): \(refused.text)")
            }
            let huge = "{\"pad\": \"" + String(repeating: "x", count: 1_000_000) + "\"}"
            let tooLarge = try await post(huge, StripeSignature.header(body: Data(huge.utf8), secret: Self.secret, time: app.clock.now()))
            #expect(tooLarge.status == 413)
            #expect(try await app.request(.post, "/webhooks/stripe/gw_unknown", key: nil, rawBody: body, headers: ["Stripe-Signature": header]).status == 404)
            #expect(try await app.request(.post, "/webhooks/braintree/\(gateway)", key: nil, rawBody: body).status == 404)
            #expect(try await app.request(.get, "/v1/gateway_events", key: key).items.isEmpty)
            // And the genuine one still goes through.
            #expect(try await post(body, header).status == 200)
        }
    }

    @Test("rotating the endpoint secret: old and new both verify while both are configured, and the old one fails at once when it is dropped")
    func rotation() async throws {
        try await TestHarness.run(.sqlite) { app in
            let (_, key) = try await app.makeCustomer("E-Bikes")
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": ["whsec_old_0001"]])
            // A webhook before the rotation, so the gateway as it was is remembered.
            let before: [String: Any] = ["id": "evt_r0", "type": "ping", "created": Int(app.clock.now().timeIntervalSince1970), "data": ["object": [:]]]
            #expect(try await app.sendStripe(before, gateway: gateway, secret: "whsec_old_0001").status == 200)
            let updated = try await app.request(.post, "/v1/payment_gateways/\(gateway)", key: key, json: ["secrets": ["whsec_old_0001", "whsec_new_0002"]])
            #expect((updated.json["credential_hints"] as? [String])?.count == 2)
            #expect(!updated.text.contains("whsec_old_0001"))
            let event: [String: Any] = ["id": "evt_r1", "type": "ping", "created": Int(app.clock.now().timeIntervalSince1970), "data": ["object": [:]]]
            #expect(try await app.sendStripe(event, gateway: gateway, secret: "whsec_old_0001").status == 200)
            var second = event
            second["id"] = "evt_r2"
            #expect(try await app.sendStripe(second, gateway: gateway, secret: "whsec_new_0002").status == 200)
            // The old secret dropped: refused on the very next webhook, however recently the gateway was read.
            let dropped = try await app.request(.post, "/v1/payment_gateways/\(gateway)", key: key, json: ["secrets": ["whsec_new_0002"]])
            #expect(dropped.status == 200)
            var third = event
            third["id"] = "evt_r3"
            #expect(try await app.sendStripe(third, gateway: gateway, secret: "whsec_old_0001").status == 400)
            third["id"] = "evt_r4"
            #expect(try await app.sendStripe(third, gateway: gateway, secret: "whsec_new_0002").status == 200)
            let listed = try await app.request(.get, "/v1/payment_gateways", key: key)
            #expect(!listed.text.contains("whsec_"))
        }
    }
}
