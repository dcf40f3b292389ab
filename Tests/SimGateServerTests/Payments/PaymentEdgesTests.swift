import Foundation
@testable import SimGateServer
import SimGateTestSupport
import SQLKit
import Testing

/// Hostile but signed payloads and the edges of time and state (an acceptance probe).
@Suite("Payment edges")
struct PaymentEdgesTests {
    static let secret = "whsec_edges_01"
    static let day: TimeInterval = 86_400

    /// A signed Stripe event as raw text, answered.
    static func post(_ app: TestHarness, _ body: Data, gateway: String) async throws -> TestReply {
        try await app.sendStripe(body: body, gateway: gateway, secret: secret)
    }

    static func binding(_ sim: [String: Any]) -> [String: Any]? {
        ((sim["billing"] as? [String: Any])?["bindings"] as? [[String: Any]])?.first
    }

    @Test("a period paid to the last second of 9999 with grace runs to that second, not into year 10000", arguments: [TestEngine.sqlite])
    func graceStopsAtYear9999(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [Self.secret], "grace_period_hours": 72])
            _ = try await app.request(.post, "/v1/billing_bindings", key: key, json: ["gateway": gateway, "subscription": "sub_far", "sim": sim])
            let end = Date(timeIntervalSince1970: 253_402_300_799)
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_far", subscription: "sub_far", periodStart: app.clock.now(), periodEnd: end, created: app.clock.now()),
                                     gateway: gateway, secret: Self.secret)
            let live = try await app.waitForSim(sim, key: key) { $0["status"] as? String == "LIVE" }
            let bound = Self.binding(live)
            #expect(bound?["paid_until"] as? String == "9999-12-31T23:59:59.000Z")
            #expect(bound?["grace_until"] as? String == "9999-12-31T23:59:59.000Z", "\(String(describing: bound))")
            #expect(bound?["access_ends_at"] as? String == "9999-12-31T23:59:59.000Z", "\(String(describing: bound))")
        }
    }

    @Test("under end_of_period a trial cancelled early ends with its subscription; paid time runs on", arguments: TestEngine.available)
    func cancelledTrial(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sims = try await app.importSims(0..<2, account: account)
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [Self.secret], "cancellation": "end_of_period"])
            let start = app.clock.now()
            for (index, sim) in sims.enumerated() {
                _ = try await app.request(.post, "/v1/billing_bindings", key: key, json: ["gateway": gateway, "subscription": "sub_\(index)", "sim": sim])
            }
            // SIM 0 on a trial, SIM 1 on an invoice a coupon paid whole: neither collected money.
            try await app.sendStripe(BillingSemanticsTests.subscriptionUpdated(id: "evt_t0", subscription: "sub_0", status: "trialing", periodEnd: start + 14 * Self.day, created: start, trialEnd: start + 14 * Self.day),
                                     gateway: gateway, secret: Self.secret)
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_t1", subscription: "sub_1", periodStart: start, periodEnd: start + 30 * Self.day, created: start, amountPaid: 0),
                                     gateway: gateway, secret: Self.secret)
            for sim in sims { try await app.waitForSim(sim, key: key) { $0["status"] as? String == "LIVE" } }
            app.clock.set(start + Self.day)
            for index in 0..<2 {
                try await app.sendStripe(StripeEvents.subscriptionDeleted(id: "evt_end\(index)", subscription: "sub_\(index)", endedAt: app.clock.now(), created: app.clock.now()),
                                         gateway: gateway, secret: Self.secret)
            }
            for sim in sims {
                let ended = try await app.waitForSim(sim, key: key) { $0["status"] as? String == "OFFLINE" }
                #expect(Self.binding(ended)?["access_ends_at"] as? String == RFC3339.string(from: start + Self.day))
            }
        }
    }

    /// With the grant's time cut to its receipt, whichever of a trial and a failed charge told
    /// seconds ahead came second looked later: trial first, the failure ended it; failure
    /// first, 14 free days. A trial's end with a fraction of a millisecond, compared with the
    /// millisecond stored, made the order decide which telling's grant was kept.
    @Test("a trial and a failed charge dated ahead, or with fractions of a millisecond, end the same in either order", arguments: TestEngine.available)
    func trialAndFailureInEitherOrder(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sims = try await app.importSims(0..<2, account: account)
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [Self.secret]])
            let start = app.clock.now()
            for (index, sim) in sims.enumerated() {
                _ = try await app.request(.post, "/v1/billing_bindings", key: key, json: ["gateway": gateway, "subscription": "sub_\(index)", "sim": sim])
            }
            func trial(_ index: Int) -> [String: Any] {
                let event = BillingSemanticsTests.subscriptionUpdated(
                    id: "evt_t\(index)", subscription: "sub_\(index)", status: "trialing", periodEnd: start + 14 * Self.day, created: start + 5, trialEnd: start + 14 * Self.day
                )
                return StripeEvents.changingObject(event) { $0["trial_end"] = (start + 14 * Self.day).timeIntervalSince1970 + 0.0004 }
            }
            // Both dated five seconds ahead of the receiving clock, received a second apart:
            // SIM 0's trial first, SIM 1's failure first.
            let failure = { (index: Int) in StripeEvents.paymentFailed(id: "evt_f\(index)", subscription: "sub_\(index)", created: start + 5) }
            // Then SIM 0's trial told again (its end's fraction against the millisecond stored).
            var retold = trial(0)
            retold["id"] = "evt_t0_again"
            for (offset, event) in [trial(0), failure(0), failure(1), trial(1), retold].enumerated() {
                app.clock.set(start + TimeInterval(offset))
                try await app.sendStripe(event, gateway: gateway, secret: Self.secret, at: start + 5)
            }
            try await app.waitForGatewayEvents(key: key)
            var states: [[String: Any]] = []
            for sim in sims { states.append(try await app.request(.get, "/v1/sims/\(sim)", key: key).json) }
            // A failed charge seconds from the grant is during the trial, in either order: the
            // trial ended at the failure (dated when it was received, SIM 0's a second after the
            // trial, SIM 1's a second before).
            for (index, state) in states.enumerated() {
                #expect(state["status"] as? String == "OFFLINE", "\(state)")
                #expect(Self.binding(state)?["access_ends_at"] as? String == RFC3339.string(from: start + TimeInterval(index + 1)), "\(state)")
            }
        }
    }

    /// A binding stored before grant times were kept has none; a retelling of its trial set one,
    /// and brought back the trial a failure had already ended.
    @Test("a trial ended by a failure before grant times were kept stays ended when it is told again", arguments: [TestEngine.sqlite])
    func legacyTrialStaysEnded(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [Self.secret]])
            let binding = try await app.request(.post, "/v1/billing_bindings", key: key, json: ["gateway": gateway, "subscription": "sub_l", "sim": sim])
            let start = app.clock.now()
            let told = BillingSemanticsTests.subscriptionUpdated(id: "evt_l1", subscription: "sub_l", status: "trialing", periodEnd: start + 14 * Self.day, created: start, trialEnd: start + 14 * Self.day)
            try await app.sendStripe(told, gateway: gateway, secret: Self.secret)
            app.clock.set(start + Self.day)
            try await app.sendStripe(StripeEvents.paymentFailed(id: "evt_l2", subscription: "sub_l", created: app.clock.now()), gateway: gateway, secret: Self.secret)
            try await app.waitForSim(sim, key: key) { $0["status"] as? String == "OFFLINE" }
            // As migration 24 leaves a binding stored before it.
            let id = try #require(binding["id"])
            try await app.database.sqlTransaction { db in try await db.raw("UPDATE billing_bindings SET trial_granted_at = NULL WHERE id = \(bind: id)").run() }
            app.clock.set(start + 2 * Self.day)
            var again = told
            again["id"] = "evt_l3"
            again["created"] = Int(app.clock.now().timeIntervalSince1970)
            try await app.sendStripe(again, gateway: gateway, secret: Self.secret)
            try await app.waitForGatewayEvents(key: key)
            let state = try await app.request(.get, "/v1/sims/\(sim)", key: key)
            #expect(state["status"] == "OFFLINE", "\(state.text)")
        }
    }

    /// `invoice.paid` was taken on its type alone: an open invoice extended access by its period,
    /// and one for a negative total counted as money. An event of a type SimGate does not act on
    /// was said to concern no subscription, even a voided invoice naming one.
    @Test("an invoice not paid or for a negative total extends nothing; an event of a type SimGate does not act on says so", arguments: [TestEngine.sqlite])
    func invoicesThatPayNothing(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [Self.secret]])
            _ = try await app.request(.post, "/v1/billing_bindings", key: key, json: ["gateway": gateway, "subscription": "sub_x", "sim": sim])
            let start = app.clock.now()
            func invoice(_ id: String, _ change: (inout [String: Any]) -> Void) -> [String: Any] {
                StripeEvents.changingObject(StripeEvents.invoicePaid(id: id, subscription: "sub_x", periodStart: start, periodEnd: start + 90 * Self.day, created: start), change)
            }
            let events = [
                invoice("evt_open") { $0["status"] = "open"; $0["amount_paid"] = 0; $0["total"] = 900 },
                invoice("evt_unpaid") { $0["status"] = nil; $0["paid"] = false },
                invoice("evt_credit") { $0["total"] = -500 },
                ["id": "evt_void", "object": "event", "type": "invoice.voided", "created": Int(start.timeIntervalSince1970),
                 "data": ["object": ["object": "invoice", "status": "void", "subscription": "sub_x"]]],
            ]
            for event in events { try await app.sendStripe(event, gateway: gateway, secret: Self.secret) }
            try await app.waitForGatewayEvents(key: key)
            let state = try await app.request(.get, "/v1/sims/\(sim)", key: key)
            #expect(state["status"] == "INVENTORY" && Self.binding(state.json)?["paid_until"] is NSNull, "\(state.text)")
            let outcomes = Dictionary(uniqueKeysWithValues: try await app.request(.get, "/v1/gateway_events?limit=10", key: key).items.map {
                ($0["external_id"] as? String ?? "?", $0["outcome"] as? String ?? "")
            })
            #expect(outcomes["evt_open"]?.contains("status is 'open'") == true, "\(outcomes)")
            #expect(outcomes["evt_unpaid"]?.contains("not paid") == true, "\(outcomes)")
            #expect(outcomes["evt_credit"]?.contains("negative") == true, "\(outcomes)")
            #expect(outcomes["evt_void"]?.contains("invoice.voided") == true, "\(outcomes)")

            // A subscription id the API would refuse binds nothing from metadata either.
            let iccid = try #require(state["iccid"])
            let long = StripeEvents.invoicePaid(
                id: "evt_long", subscription: String(repeating: "s", count: 300), periodStart: start, periodEnd: start + Self.day, created: start, metadata: ["iccid": iccid]
            )
            try await app.sendStripe(long, gateway: gateway, secret: Self.secret)
            try await app.waitForGatewayEvents(key: key)
            #expect(try await app.request(.get, "/v1/billing_bindings", key: key).items.count == 1)
            let refused = try await app.request(.get, "/v1/gateway_events?limit=1", key: key).items.first
            #expect((refused?["outcome"] as? String)?.contains("255") == true, "\(refused ?? [:])")
        }
    }

    /// A trial the merchant ended early (Stripe then charges at once) ran to its end as
    /// granted even when that first charge failed: two unpaid weeks of data.
    @Test("a first charge that fails before the trial's end ends the trial there, with no grace; a renewal's failure leaves a trial alone", arguments: TestEngine.available)
    func trialEndedEarly(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sims = try await app.importSims(0..<3, account: account)
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [Self.secret], "grace_period_hours": 72])
            let start = app.clock.now()
            for (index, sim) in sims.enumerated() {
                _ = try await app.request(.post, "/v1/billing_bindings", key: key, json: ["gateway": gateway, "subscription": "sub_\(index)", "sim": sim])
            }
            // SIM 2: its first charge fails, then, an hour later, the merchant grants a trial
            // instead: the failure came before the trial, and does not end it.
            try await app.sendStripe(StripeEvents.paymentFailed(id: "evt_f2", subscription: "sub_2", created: start), gateway: gateway, secret: Self.secret)
            app.clock.set(start + 3_600)
            try await app.sendStripe(BillingSemanticsTests.subscriptionUpdated(id: "evt_t2", subscription: "sub_2", status: "trialing", periodEnd: start + 30 * Self.day, created: start + 3_600, trialEnd: start + 30 * Self.day),
                                     gateway: gateway, secret: Self.secret)
            let trialInstead = try await app.waitForSim(sims[2], key: key) { $0["status"] as? String == "LIVE" }
            #expect(Self.binding(trialInstead)?["access_ends_at"] as? String == RFC3339.string(from: start + 30 * Self.day), "\(trialInstead)")
            // SIM 0: a trial of 14 days, ended on its second day; the first charge fails.
            try await app.sendStripe(BillingSemanticsTests.subscriptionUpdated(id: "evt_t0", subscription: "sub_0", status: "trialing", periodEnd: start + 14 * Self.day, created: start, trialEnd: start + 14 * Self.day),
                                     gateway: gateway, secret: Self.secret)
            try await app.waitForSim(sims[0], key: key) { $0["status"] as? String == "LIVE" }
            app.clock.set(start + Self.day)
            try await app.sendStripe(BillingSemanticsTests.subscriptionUpdated(id: "evt_a0", subscription: "sub_0", status: "active", periodEnd: start + 31 * Self.day, created: app.clock.now(), trialEnd: app.clock.now()),
                                     gateway: gateway, secret: Self.secret)
            try await app.sendStripe(StripeEvents.paymentFailed(id: "evt_f0", subscription: "sub_0", created: app.clock.now()), gateway: gateway, secret: Self.secret)
            let cut = try await app.waitForSim(sims[0], key: key) { $0["status"] as? String == "OFFLINE" }
            #expect(Self.binding(cut)?["access_ends_at"] as? String == RFC3339.string(from: start + Self.day), "\(cut)")
            #expect(Self.binding(cut)?["trial_until"] as? String == RFC3339.string(from: start + Self.day), "\(cut)")

            // SIM 1: a month paid, then a trial granted to day 60; a renewal's failure on day 31
            // is no first charge, and the trial runs on.
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_p1", subscription: "sub_1", periodStart: start, periodEnd: start + 30 * Self.day, created: start),
                                     gateway: gateway, secret: Self.secret)
            try await app.sendStripe(BillingSemanticsTests.subscriptionUpdated(id: "evt_t1", subscription: "sub_1", status: "trialing", periodEnd: start + 60 * Self.day, created: app.clock.now(), trialEnd: start + 60 * Self.day),
                                     gateway: gateway, secret: Self.secret)
            app.clock.set(start + 31 * Self.day)
            try await app.sendStripe(StripeEvents.paymentFailed(id: "evt_f1", subscription: "sub_1", created: app.clock.now()), gateway: gateway, secret: Self.secret)
            try await app.waitForGatewayEvents(key: key)
            let kept = try await app.request(.get, "/v1/sims/\(sims[1])", key: key)
            #expect(kept["status"] == "LIVE", "\(kept.text)")
            // The trial's end, then the grace that money collected earlier opens.
            #expect(Self.binding(kept.json)?["access_ends_at"] as? String == RFC3339.string(from: start + 63 * Self.day), "\(kept.text)")
        }
    }

    @Test("JSON true and false are no numbers; a missing period end is kept as ignored, not refused; a body not UTF-8 is refused", arguments: [TestEngine.sqlite])
    func hostilePayloads(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [Self.secret]])
            _ = try await app.request(.post, "/v1/billing_bindings", key: key, json: ["gateway": gateway, "subscription": "sub_b", "sim": sim])
            let now = Int(app.clock.now().timeIntervalSince1970)
            func invoice(_ id: String, lines: String, total: String = "900", created: String? = nil) -> Data {
                Data("""
                    {"id":"\(id)","object":"event","type":"invoice.paid","created":\(created ?? String(now)),"data":{"object":{"object":"invoice","total":\(total),\
                    "parent":{"subscription_details":{"subscription":"sub_b"}},"lines":{"data":\(lines),"has_more":true}}}}
                    """.utf8)
            }
            // `created: true` was read as 1970-01-01T00:00:01: the envelope is unreadable.
            #expect(try await Self.post(app, invoice("evt_c", lines: "[]", created: "true"), gateway: gateway).code == "payload_invalid")
            // Period end `true` (was 1970-01-01T00:00:01, provisioning the SIM OFFLINE), a total
            // `false` (was an invoice for nothing, a trial), no line at all (was a 400 Stripe
            // sends again for days): each kept, and shown as changing nothing.
            let kept = [
                invoice("evt_true", lines: #"[{"period":{"end":true}}]"#),
                invoice("evt_false", lines: #"[{"period":{"end":\#(now + 86_400)}}]"#, total: "false"),
                invoice("evt_none", lines: "[]"),
            ]
            for body in kept { #expect(try await Self.post(app, body, gateway: gateway).status == 200) }
            try await app.waitForGatewayEvents(key: key)
            let events = try await app.request(.get, "/v1/gateway_events", key: key).items
            #expect(events.count == 3 && events.allSatisfy { $0["status"] as? String == "ignored" }, "\(events)")
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: key)["status"] == "INVENTORY")

            // A raw 0xE9 inside a string, signed over the raw bytes: kept, it was stored with
            // U+FFFD and no longer matched its signature.
            var latin1 = Data(#"{"id":"evt_latin1","object":"event","type":"ping","created":\#(now),"data":{"object":{"name":"caf"#.utf8)
            latin1.append(0xE9)
            latin1.append(contentsOf: Data(#""}}}"#.utf8))
            let refused = try await Self.post(app, latin1, gateway: gateway)
            #expect(refused.status == 400 && refused.code == "payload_invalid", "\(refused.text)")
            #expect(try await app.request(.get, "/v1/gateway_events", key: key).items.count == 3)
        }
    }

    /// A failed payment or an end of a subscription never paid, dated ahead of its receipt,
    /// was taken as the instant that subscription's access ended, still to come: a SIM whose
    /// paid period had lapsed went LIVE again until then.
    @Test("a failure or an end dated ahead of its receipt gives a lapsed SIM no access", arguments: TestEngine.available)
    func futureFailureOpensNothing(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [Self.secret], "grace_period_hours": 0])
            for subscription in ["sub_paid", "sub_failed", "sub_ended"] {
                _ = try await app.request(.post, "/v1/billing_bindings", key: key, json: ["gateway": gateway, "subscription": subscription, "sim": sim])
            }
            let start = app.clock.now()
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_paid", subscription: "sub_paid", periodStart: start, periodEnd: start + 60, created: start),
                                     gateway: gateway, secret: Self.secret)
            try await app.waitForSim(sim, key: key) { $0["status"] as? String == "LIVE" }
            app.clock.set(start + 61)
            try await app.waitForSim(sim, key: key) { $0["status"] as? String == "OFFLINE" }
            try await app.sendStripe(StripeEvents.paymentFailed(id: "evt_failed", subscription: "sub_failed", created: start + 3_600), gateway: gateway, secret: Self.secret)
            try await app.sendStripe(StripeEvents.subscriptionDeleted(id: "evt_ended", subscription: "sub_ended", endedAt: start + Self.day, created: start + 61),
                                     gateway: gateway, secret: Self.secret)
            try await app.settle()
            let state = try await app.request(.get, "/v1/sims/\(sim)", key: key)
            #expect(state["status"] == "OFFLINE", "\(state.text)")
            let billing = state.json["billing"] as? [String: Any]
            #expect(billing?["access_ends_at"] as? String == RFC3339.string(from: start + 60), "\(state.text)")
            // A SIM made LIVE by hand whose only subscription's first charge fails, dated ahead:
            // the failure counts from its receipt, and the hold is in force at once.
            let other = try #require(try await app.importSims(1..<2, account: account).first)
            #expect(try await app.request(.post, "/v1/sims/\(other)/activate", key: key)["status"] == "LIVE")
            _ = try await app.request(.post, "/v1/billing_bindings", key: key, json: ["gateway": gateway, "subscription": "sub_never", "sim": other])
            try await app.sendStripe(StripeEvents.paymentFailed(id: "evt_never", subscription: "sub_never", created: start + 3_600), gateway: gateway, secret: Self.secret)
            try await app.settle()
            let held = try await app.request(.get, "/v1/sims/\(other)", key: key)
            #expect(held["status"] == "OFFLINE", "\(held.text)")
        }
    }

    @Test("a retired SIM takes no binding, by the API or by an event's metadata", arguments: [TestEngine.sqlite])
    func retiredSim(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [Self.secret]])
            #expect(try await app.request(.post, "/v1/sims/\(sim)/retire", key: app.operatorKey).status == 200)
            let bound = try await app.request(.post, "/v1/billing_bindings", key: key, json: ["gateway": gateway, "subscription": "sub_r", "sim": sim])
            #expect(bound.status == 409 && bound.code == "sim_retired", "\(bound.text)")
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_r", subscription: "sub_m", periodStart: app.clock.now(), periodEnd: app.clock.now() + Self.day,
                                                              created: app.clock.now(), metadata: ["iccid": Fixtures.iccid(0)]),
                                     gateway: gateway, secret: Self.secret)
            try await app.waitForGatewayEvents(key: key)
            let event = try #require(try await app.request(.get, "/v1/gateway_events", key: key).items.first)
            #expect((event["outcome"] as? String)?.contains("RETIRED") == true, "\(event)")
            #expect(try await app.request(.get, "/v1/billing_bindings", key: key).items.isEmpty)
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: key)["status"] == "RETIRED")
        }
    }
}
