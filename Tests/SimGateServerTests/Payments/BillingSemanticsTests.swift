import Foundation
@testable import SimGateServer
import SimGateTestSupport
import Testing

/// Money and service agree: what the acceptance run found, each through the webhooks as the
/// gateways send them.
@Suite("Billing semantics")
struct BillingSemanticsTests {
    static let secret = "whsec_semantics"
    static let day: TimeInterval = 86_400

    static func subscriptionUpdated(id: String, subscription: String, status: String, periodEnd: Date, created: Date, trialEnd: Date? = nil) -> [String: Any] {
        var object: [String: Any] = [
            "id": subscription, "object": "subscription", "status": status,
            "items": ["data": [["current_period_end": Int(periodEnd.timeIntervalSince1970)]]],
        ]
        if let trialEnd { object["trial_end"] = Int(trialEnd.timeIntervalSince1970) }
        return ["id": id, "object": "event", "type": "customer.subscription.updated", "created": Int(created.timeIntervalSince1970), "data": ["object": object]]
    }

    @Test("a renewal that Stripe announces but never collects buys nothing: grace runs once from the paid period's end, retries do not extend it", arguments: TestEngine.available)
    func unpaidRenewal(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [Self.secret], "grace_period_hours": 72])
            _ = try await app.request(.post, "/v1/billing_bindings", key: key, json: ["gateway": gateway, "subscription": "sub_r", "sim": sim])
            let start = app.clock.now()
            let paidEnd = start + 30 * Self.day
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_paid", subscription: "sub_r", periodStart: start, periodEnd: paidEnd, created: start), gateway: gateway, secret: Self.secret)
            try await app.waitForSim(sim, key: key) { $0["status"] as? String == "LIVE" }

            // The renewal: the period moves first, then the charge fails, then is retried.
            app.clock.set(paidEnd)
            try await app.sendStripe(Self.subscriptionUpdated(id: "evt_renew", subscription: "sub_r", status: "active", periodEnd: paidEnd + 30 * Self.day, created: paidEnd), gateway: gateway, secret: Self.secret)
            try await app.sendStripe(StripeEvents.paymentFailed(id: "evt_fail_1", subscription: "sub_r", created: paidEnd + 3_600), gateway: gateway, secret: Self.secret)
            try await app.waitForGatewayEvents(key: key)
            let renewal = try await app.request(.get, "/v1/gateway_events?limit=10", key: key).items.first { $0["external_id"] as? String == "evt_renew" }
            #expect(renewal?["status"] as? String == "ignored")
            #expect((renewal?["outcome"] as? String)?.contains("paid invoice") == true)
            let inGrace = try await app.request(.get, "/v1/sims/\(sim)", key: key)
            #expect(inGrace["status"] == "LIVE")
            let binding = ((inGrace.json["billing"] as? [String: Any])?["bindings"] as? [[String: Any]])?.first
            #expect(binding?["paid_until"] as? String == RFC3339.string(from: paidEnd))
            #expect(binding?["grace_until"] as? String == RFC3339.string(from: paidEnd + 3 * Self.day))

            // Retries over ten days: grace does not restart with each one.
            for retry in 1...4 {
                app.clock.set(paidEnd + Double(retry * 2) * Self.day + 60)
                try await app.sendStripe(StripeEvents.paymentFailed(id: "evt_fail_r\(retry)", subscription: "sub_r", created: app.clock.now()), gateway: gateway, secret: Self.secret)
            }
            try await app.waitForGatewayEvents(key: key)
            let lapsed = try await app.waitForSim(sim, key: key) { $0["status"] as? String == "OFFLINE" }
            #expect((lapsed["holds"] as? [[String: Any]])?.map { $0["cause"] as? String } == ["payment"])
            try await app.sendStripe(StripeEvents.subscriptionDeleted(id: "evt_gone", subscription: "sub_r", endedAt: app.clock.now(), created: app.clock.now()), gateway: gateway, secret: Self.secret)
            try await app.waitForGatewayEvents(key: key)
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: key)["status"] == "OFFLINE")
        }
    }

    /// Stripe charges a renewal about an hour after the period ends. With grace only after a
    /// failure, every paying SIM went OFFLINE at the end of its period until the renewal was
    /// paid: an hour without data, each month, for riders who paid.
    @Test("a renewal Stripe collects an hour after the period ends keeps the SIM LIVE throughout", arguments: [TestEngine.sqlite])
    func renewalCollectedLate(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [Self.secret]])
            _ = try await app.request(.post, "/v1/billing_bindings", key: key, json: ["gateway": gateway, "subscription": "sub_l", "sim": sim])
            let start = app.clock.now()
            let paidEnd = start + 30 * Self.day
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_1", subscription: "sub_l", periodStart: start, periodEnd: paidEnd, created: start), gateway: gateway, secret: Self.secret)
            try await app.waitForSim(sim, key: key) { $0["status"] as? String == "LIVE" }
            app.clock.set(paidEnd + 1_800)
            try await app.settle()
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: key)["status"] == "LIVE", "half an hour into the collection")
            app.clock.set(paidEnd + 3_600)
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_2", subscription: "sub_l", periodStart: paidEnd, periodEnd: paidEnd + 30 * Self.day, created: app.clock.now()),
                                     gateway: gateway, secret: Self.secret)
            try await app.waitForGatewayEvents(key: key)
            #expect(try await app.request(.get, "/v1/events?type=sim.status_changed&limit=10", key: key).items.count == 1, "LIVE once, never OFFLINE")
        }
    }

    /// A gateway's grace and cancellation decide when its SIMs' access ends, and changing them
    /// left each SIM as the old ones had it: held although paid up, LIVE although lapsed.
    @Test("changing a gateway's cancellation or grace looks again at every SIM bound to it", arguments: TestEngine.available)
    func policyChangeReevaluates(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sims = try await app.importSims(0..<2, account: account)
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [Self.secret], "cancellation": "immediately", "grace_period_hours": 72])
            let start = app.clock.now()
            for (index, sim) in sims.enumerated() {
                _ = try await app.request(.post, "/v1/billing_bindings", key: key, json: ["gateway": gateway, "subscription": "sub_\(index)", "sim": sim])
            }
            // SIM 0: paid for 30 days, then cancelled at once. SIM 1: paid for a day, renewal failed (in grace).
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_p0", subscription: "sub_0", periodStart: start, periodEnd: start + 30 * Self.day, created: start), gateway: gateway, secret: Self.secret)
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_p1", subscription: "sub_1", periodStart: start, periodEnd: start + Self.day, created: start), gateway: gateway, secret: Self.secret)
            app.clock.advance(by: Self.day)
            try await app.sendStripe(StripeEvents.subscriptionDeleted(id: "evt_d0", subscription: "sub_0", endedAt: app.clock.now(), created: app.clock.now()), gateway: gateway, secret: Self.secret)
            try await app.sendStripe(StripeEvents.paymentFailed(id: "evt_f1", subscription: "sub_1", created: app.clock.now()), gateway: gateway, secret: Self.secret)
            try await app.waitForGatewayEvents(key: key)
            try await app.waitForSim(sims[0], key: key) { $0["status"] as? String == "OFFLINE" }
            try await app.waitForSim(sims[1], key: key) { $0["status"] as? String == "LIVE" }

            // Paid to day 30: under end_of_period SIM 0 is served to then. No grace: SIM 1 lapsed.
            let update = try await app.request(.post, "/v1/payment_gateways/\(gateway)", key: key, json: ["cancellation": "end_of_period", "grace_period_hours": 0])
            #expect(update.status == 200, "\(update.text)")
            let served = try await app.waitForSim(sims[0], key: key) { $0["status"] as? String == "LIVE" }
            #expect((served["status_cause"] as? [String: Any])?["reason"] as? String == "payment gateway \(gateway) changed its grace or cancellation")
            try await app.waitForSim(sims[1], key: key) { $0["status"] as? String == "OFFLINE" }
            // And back: immediately ends SIM 0's access, grace gives SIM 1 its 72 hours again.
            #expect(try await app.request(.post, "/v1/payment_gateways/\(gateway)", key: key, json: ["cancellation": "immediately", "grace_period_hours": 72]).status == 200)
            try await app.waitForSim(sims[0], key: key) { $0["status"] as? String == "OFFLINE" }
            try await app.waitForSim(sims[1], key: key) { $0["status"] as? String == "LIVE" }
            // A rename changes no SIM.
            let events = try await app.request(.get, "/v1/events?type=sim.status_changed&limit=100", key: key).items.count
            #expect(events >= 6)
            #expect(try await app.request(.post, "/v1/payment_gateways/\(gateway)", key: key, json: ["name": "Stripe EU"]).status == 200)
            try await app.settle()
            #expect(try await app.request(.get, "/v1/events?type=sim.status_changed&limit=100", key: key).items.count == events)
        }
    }

    /// A subscription moved to another SIM (a wrong binding fixed, the SIM swapped in the bike)
    /// lost what was paid: only events still unbound were applied to the new binding.
    @Test("a subscription bound again brings what its gateway already said of it to its new SIM", arguments: TestEngine.available)
    func reboundSubscriptionKeepsItsPayments(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sims = try await app.importSims(0..<2, account: account)
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [Self.secret], "grace_period_hours": 0])
            let first = try await app.request(.post, "/v1/billing_bindings", key: key, json: ["gateway": gateway, "subscription": "sub_swap", "sim": sims[0]])
            let start = app.clock.now()
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_paid", subscription: "sub_swap", periodStart: start, periodEnd: start + 30 * Self.day, created: start), gateway: gateway, secret: Self.secret)
            try await app.waitForGatewayEvents(key: key)
            try await app.waitForSim(sims[0], key: key) { $0["status"] as? String == "LIVE" }
            let firstID = try #require(first["id"])
            #expect(try await app.request(.delete, "/v1/billing_bindings/\(firstID)", key: key).status == 200)

            let second = try await app.request(.post, "/v1/billing_bindings", key: key, json: ["gateway": gateway, "subscription": "sub_swap", "sim": sims[1]])
            #expect(second.status == 201 && second["paid_until"] == RFC3339.string(from: start + 30 * Self.day), "\(second.text)")
            let moved = try await app.waitForSim(sims[1], key: key) { $0["status"] as? String == "LIVE" }
            #expect((moved["billing"] as? [String: Any])?["access_ends_at"] as? String == RFC3339.string(from: start + 30 * Self.day))
            // Lapses when the paid month ends, as on the first SIM.
            app.clock.advance(by: 30 * Self.day)
            try await app.waitForSim(sims[1], key: key) { $0["status"] as? String == "OFFLINE" }
        }
    }

    @Test("a first payment that fails neither turns the SIM on nor opens grace; Braintree's went_past_due neither", arguments: TestEngine.available)
    func firstPaymentFails(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sims = try await app.importSims(0..<2, account: account)
            let stripe = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [Self.secret]])
            let now = app.clock.now()
            try await app.sendStripe(StripeEvents.checkoutCompleted(id: "evt_co", subscription: "sub_new", iccid: Fixtures.iccid(0), created: now), gateway: stripe, secret: Self.secret)
            var failed = StripeEvents.paymentFailed(id: "evt_first_fail", subscription: "sub_new", created: now)
            var invoice = (failed["data"] as? [String: Any])?["object"] as? [String: Any] ?? [:]
            invoice["billing_reason"] = "subscription_create"
            failed["data"] = ["object": invoice]
            try await app.sendStripe(failed, gateway: stripe, secret: Self.secret)

            let braintree = try await app.makeGateway(key: key, ["kind": "braintree", "braintree_keys": [["public_key": "pub", "private_key": "priv_key"]]])
            _ = try await app.request(.post, "/v1/billing_bindings", key: key, json: ["gateway": braintree, "subscription": "bt-new", "sim": sims[1]])
            let pastDue = BraintreeAndGenericFlowTests.notification(kind: "subscription_went_past_due", subscription: "bt-new", paidThrough: "2027-01-31")
            #expect(try await app.sendBraintree(xml: pastDue, gateway: braintree, key: .init(publicKey: "pub", privateKey: "priv_key")).status == 200)
            try await app.waitForGatewayEvents(key: key)
            for sim in sims {
                let state = try await app.request(.get, "/v1/sims/\(sim)", key: key)
                #expect(state["status"] == "INVENTORY")
                #expect((state.json["holds"] as? [[String: Any]])?.isEmpty == true)
                let binding = ((state.json["billing"] as? [String: Any])?["bindings"] as? [[String: Any]])?.first
                #expect(binding?["grace_until"] is NSNull)
            }
            // Never paid: access ended with the failed payment, shown as its time (it was year 1).
            let first = try await app.request(.get, "/v1/sims/\(sims[0])", key: key)
            let bindingEnd = (((first.json["billing"] as? [String: Any])?["bindings"] as? [[String: Any]])?.first)?["access_ends_at"] as? String
            #expect(bindingEnd == Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down)).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)), "\(first.text)")
            // The checkout that bound the subscription did something: applied, not ignored.
            let checkout = try await app.request(.get, "/v1/gateway_events?limit=10", key: key).items.first { $0["external_id"] as? String == "evt_co" }
            #expect(checkout?["status"] as? String == "applied")
        }
    }

    /// A trial was stored as a paid period, so a trial whose first real charge failed opened
    /// grace: 72 more hours of data that nobody paid for.
    @Test("a trial whose first charge fails ends at the trial's end, without grace", arguments: TestEngine.available)
    func trialThenFailedCharge(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [Self.secret], "grace_period_hours": 72])
            _ = try await app.request(.post, "/v1/billing_bindings", key: key, json: ["gateway": gateway, "subscription": "sub_t", "sim": sim])
            let start = app.clock.now()
            let trialEnd = start + 14 * Self.day
            try await app.sendStripe(Self.subscriptionUpdated(id: "evt_trial", subscription: "sub_t", status: "trialing", periodEnd: trialEnd, created: start, trialEnd: trialEnd),
                                     gateway: gateway, secret: Self.secret)
            // Stripe's $0 invoice for the trial: paid, but with no money (it counted as money).
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_trial_invoice", subscription: "sub_t", periodStart: start, periodEnd: trialEnd, created: start, amountPaid: 0),
                                     gateway: gateway, secret: Self.secret)
            let trialing = try await app.waitForSim(sim, key: key) { $0["status"] as? String == "LIVE" }
            let binding = ((trialing["billing"] as? [String: Any])?["bindings"] as? [[String: Any]])?.first
            #expect(binding?["trial_until"] as? String == RFC3339.string(from: trialEnd))
            #expect(binding?["paid_until"] is NSNull)

            // The trial ends and the first charge fails: data stops at the trial's end.
            app.clock.set(trialEnd + 60)
            try await app.sendStripe(StripeEvents.paymentFailed(id: "evt_conversion_failed", subscription: "sub_t", created: app.clock.now()), gateway: gateway, secret: Self.secret)
            try await app.waitForGatewayEvents(key: key)
            let lapsed = try await app.waitForSim(sim, key: key) { $0["status"] as? String == "OFFLINE" }
            #expect((lapsed["holds"] as? [[String: Any]])?.map { $0["cause"] as? String } == ["payment"])
            let after = ((lapsed["billing"] as? [String: Any])?["bindings"] as? [[String: Any]])?.first
            #expect(after?["grace_until"] is NSNull)
            #expect(after?["access_ends_at"] as? String == RFC3339.string(from: trialEnd))

            // Paid at last: LIVE for the month, and a failed renewal after it has its grace.
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_paid", subscription: "sub_t", periodStart: trialEnd, periodEnd: trialEnd + 30 * Self.day, created: app.clock.now()),
                                     gateway: gateway, secret: Self.secret)
            try await app.waitForSim(sim, key: key) { $0["status"] as? String == "LIVE" }
            app.clock.set(trialEnd + 30 * Self.day)
            try await app.sendStripe(StripeEvents.paymentFailed(id: "evt_renewal_failed", subscription: "sub_t", created: app.clock.now()), gateway: gateway, secret: Self.secret)
            try await app.waitForGatewayEvents(key: key)
            let inGrace = try await app.request(.get, "/v1/sims/\(sim)", key: key)
            #expect(inGrace["status"] == "LIVE")
            let renewed = ((inGrace.json["billing"] as? [String: Any])?["bindings"] as? [[String: Any]])?.first
            #expect(renewed?["grace_until"] as? String == RFC3339.string(from: trialEnd + 33 * Self.day))
        }
    }

    @Test("grace shows only while in force; metadata naming another SIM than the binding is told, not followed", arguments: [TestEngine.sqlite])
    func graceShownAndMetadataMoves(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sims = try await app.importSims(0..<2, account: account)
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [Self.secret], "grace_period_hours": 72, "cancellation": "end_of_period"])
            let start = app.clock.now()
            let paidEnd = start + 30 * Self.day
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_p", subscription: "sub_g", periodStart: start, periodEnd: paidEnd, created: start, metadata: ["iccid": Fixtures.iccid(0)]),
                                     gateway: gateway, secret: Self.secret)
            app.clock.set(paidEnd + 60)
            try await app.sendStripe(StripeEvents.paymentFailed(id: "evt_f", subscription: "sub_g", created: app.clock.now()), gateway: gateway, secret: Self.secret)
            try await app.waitForGatewayEvents(key: key)
            func binding() async throws -> [String: Any]? {
                ((try await app.request(.get, "/v1/sims/\(sims[0])", key: key).json["billing"] as? [String: Any])?["bindings"] as? [[String: Any]])?.first
            }
            #expect(try await binding()?["grace_until"] as? String == RFC3339.string(from: paidEnd + 3 * Self.day))
            // Cancelled under end_of_period: data ran to the paid end, and no grace is shown.
            try await app.sendStripe(StripeEvents.subscriptionDeleted(id: "evt_d", subscription: "sub_g", endedAt: app.clock.now(), created: app.clock.now()), gateway: gateway, secret: Self.secret)
            try await app.waitForGatewayEvents(key: key)
            let ended = try await binding()
            #expect(ended?["grace_until"] is NSNull, "\(String(describing: ended))")
            #expect(ended?["access_ends_at"] as? String == RFC3339.string(from: paidEnd))

            // The next invoice names the other SIM: the binding stays, and the event says so.
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_p2", subscription: "sub_g", periodStart: paidEnd, periodEnd: paidEnd + 30 * Self.day, created: app.clock.now(),
                                                               metadata: ["iccid": Fixtures.iccid(1)]), gateway: gateway, secret: Self.secret)
            try await app.waitForGatewayEvents(key: key)
            let told = try await app.request(.get, "/v1/gateway_events?limit=10", key: key).items.first { $0["external_id"] as? String == "evt_p2" }
            #expect((told?["outcome"] as? String)?.contains("stays bound to \(sims[0])") == true, "\(String(describing: told))")
        }
    }

    @Test("Braintree's own charged-successfully sample without dates is ignored with the missing field named")
    func braintreeWithoutDates() async throws {
        try await TestHarness.run(.sqlite) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let gateway = try await app.makeGateway(key: key, ["kind": "braintree", "braintree_keys": [["public_key": "pub", "private_key": "priv_key"]]])
            _ = try await app.request(.post, "/v1/billing_bindings", key: key, json: ["gateway": gateway, "subscription": "bt-sample", "sim": sim])
            let sample = """
                <?xml version="1.0" encoding="UTF-8"?>
                <notification>
                  <timestamp type="datetime">2027-01-01T10:00:00Z</timestamp>
                  <kind>subscription_charged_successfully</kind>
                  <subject><subscription><id>bt-sample</id><transactions type="array"/></subscription></subject>
                </notification>
                """
            #expect(try await app.sendBraintree(xml: sample, gateway: gateway, key: .init(publicKey: "pub", privateKey: "priv_key")).status == 200)
            try await app.waitForGatewayEvents(key: key)
            let event = try #require(try await app.request(.get, "/v1/gateway_events", key: key).items.first)
            #expect(event["status"] as? String == "ignored")
            #expect((event["outcome"] as? String)?.contains("paid-through-date") == true, "\(event)")
        }
    }
}
