import Foundation
@testable import SimGateServer
import SimGateTestSupport
import Testing

/// Trials the merchant ends or cuts short, and invoices whose amounts say nothing was paid
/// (an acceptance probe of payments).
@Suite("Trial ends and invoice amounts")
struct TrialEndsAndAmountsTests {
    static let secret = "whsec_trials_01"
    static let day: TimeInterval = 86_400

    static func binding(_ sim: [String: Any]) -> [String: Any]? {
        PaymentEdgesTests.binding(sim)
    }

    static func trial(_ id: String, subscription: String, until end: Date, created: Date) -> [String: Any] {
        BillingSemanticsTests.subscriptionUpdated(id: id, subscription: subscription, status: "trialing", periodEnd: end, created: created, trialEnd: end)
    }

    /// A customer with a Stripe gateway of `graceHours` grace and one SIM bound to each of
    /// `subscriptions`, in order.
    static func bound(_ app: TestHarness, _ subscriptions: [String], graceHours: Int) async throws -> (key: String, gateway: String, sims: [String]) {
        let (account, key) = try await app.makeCustomer("E-Bikes")
        let sims = try await app.importSims(0..<subscriptions.count, account: account)
        let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [Self.secret], "grace_period_hours": graceHours])
        for (subscription, sim) in zip(subscriptions, sims) {
            let binding = try await app.request(.post, "/v1/billing_bindings", key: key, json: ["gateway": gateway, "subscription": subscription, "sim": sim])
            try #require(binding.status == 201, "\(binding.text)")
        }
        return (key, gateway, sims)
    }

    /// A trial of 30 days that the merchant ended on its second day, with the first invoice
    /// still open (sent for payment, or a bank debit days from clearing), kept the SIM LIVE for
    /// the other 28: the end was read only from a failed charge.
    @Test("a trial ended early ends access then, even while the first invoice is open; a trial granted later is not cut by it", arguments: TestEngine.available)
    func trialEndedEarly(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (key, gateway, sims) = try await Self.bound(app, ["sub_t"], graceHours: 0)
            let sim = sims[0]
            let start = app.clock.now()
            try await app.sendStripe(Self.trial("evt_t1", subscription: "sub_t", until: start + 30 * Self.day, created: start), gateway: gateway, secret: Self.secret)
            try await app.waitForSim(sim, key: key) { $0["status"] as? String == "LIVE" }

            app.clock.set(start + Self.day)
            let ended = BillingSemanticsTests.subscriptionUpdated(
                id: "evt_a1", subscription: "sub_t", status: "active", periodEnd: start + 31 * Self.day, created: app.clock.now(), trialEnd: app.clock.now()
            )
            try await app.sendStripe(ended, gateway: gateway, secret: Self.secret)
            let cut = try await app.waitForSim(sim, key: key) { $0["status"] as? String == "OFFLINE" }
            #expect(Self.binding(cut)?["trial_until"] as? String == RFC3339.string(from: start + Self.day), "\(cut)")
            #expect(Self.binding(cut)?["access_ends_at"] as? String == RFC3339.string(from: start + Self.day), "\(cut)")
            let update = try #require(try await app.request(.get, "/v1/events?type=billing_binding.updated&limit=1", key: key).items.first)
            let previous = try #require((update["data"] as? [String: Any])?["previous_attributes"] as? [String: Any])
            #expect(previous["trial_until"] as? String == RFC3339.string(from: start + 30 * Self.day), "\(previous)")

            // Told again, late and out of order, the first grant does not bring the trial back.
            try await app.sendStripe(Self.trial("evt_t1_again", subscription: "sub_t", until: start + 30 * Self.day, created: start), gateway: gateway, secret: Self.secret)
            try await app.waitForSim(sim, key: key) { $0["status"] as? String == "OFFLINE" }

            // A new trial granted on day 3 runs to its own end.
            app.clock.set(start + 3 * Self.day)
            try await app.sendStripe(Self.trial("evt_t2", subscription: "sub_t", until: start + 40 * Self.day, created: app.clock.now()), gateway: gateway, secret: Self.secret)
            let again = try await app.waitForSim(sim, key: key) { $0["status"] as? String == "LIVE" }
            #expect(Self.binding(again)?["access_ends_at"] as? String == RFC3339.string(from: start + 40 * Self.day), "\(again)")
        }
    }

    /// Kept as the longest trial told, a trial granted after one was ended early was lost when
    /// it ended no later than the first (and so was the first given back whole); a trial ended
    /// at the very second of the next grant (Stripe's invoice for nothing of a free month) cut
    /// that month; and a trial ended half a minute after its grant, by a gateway clock 200 s
    /// ahead, looked ended before it was granted and ran its whole length.
    @Test("the latest grant is the trial; an end at the second of a grant is the last trial's; a clock ahead still ends a trial", arguments: TestEngine.available)
    func latestGrantIsTheTrial(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (key, gateway, sims) = try await Self.bound(app, (0..<4).map { "sub_\($0)" }, graceHours: 0)
            let now = app.clock.now()
            func ended(_ id: String, _ subscription: String, at time: Date, created: Date? = nil) -> [String: Any] {
                BillingSemanticsTests.subscriptionUpdated(id: id, subscription: subscription, status: "active", periodEnd: time + 30 * Self.day, created: created ?? time, trialEnd: time)
            }
            // SIM 0: 28 days granted, ended after one, then 10 more granted. SIM 1: the same,
            // the second grant the first's end again (the early end undone).
            for (index, again) in [(0, now + 10 * Self.day), (1, now + 28 * Self.day)] {
                try await app.sendStripe(Self.trial("evt_\(index)a", subscription: "sub_\(index)", until: now + 28 * Self.day, created: now - 2 * Self.day), gateway: gateway, secret: Self.secret)
                try await app.sendStripe(ended("evt_\(index)b", "sub_\(index)", at: now - Self.day), gateway: gateway, secret: Self.secret)
                try await app.sendStripe(Self.trial("evt_\(index)c", subscription: "sub_\(index)", until: again, created: now - Self.day / 2), gateway: gateway, secret: Self.secret)
                let state = try await app.waitForSim(sims[index], key: key) { $0["status"] as? String == "LIVE" }
                #expect(Self.binding(state)?["access_ends_at"] as? String == RFC3339.string(from: again), "\(state)")
            }
            // SIM 2: the trial ends at T; the free month's invoice is dated T too.
            let trialEnd = now - Self.day
            try await app.sendStripe(Self.trial("evt_2a", subscription: "sub_2", until: trialEnd, created: now - 10 * Self.day), gateway: gateway, secret: Self.secret)
            try await app.sendStripe(ended("evt_2b", "sub_2", at: trialEnd), gateway: gateway, secret: Self.secret)
            let free = StripeEvents.changingObject(
                StripeEvents.invoicePaid(id: "evt_2c", subscription: "sub_2", periodStart: trialEnd, periodEnd: trialEnd + 30 * Self.day, created: trialEnd)
            ) { $0["total"] = 0; $0["amount_paid"] = 0 }
            try await app.sendStripe(free, gateway: gateway, secret: Self.secret)
            let month = try await app.waitForSim(sims[2], key: key) { $0["status"] as? String == "LIVE" }
            #expect(Self.binding(month)?["access_ends_at"] as? String == RFC3339.string(from: trialEnd + 30 * Self.day), "\(month)")
            // SIM 3: the gateway's clock 200 s ahead; the trial ended 30 s after its grant.
            try await app.sendStripe(Self.trial("evt_3a", subscription: "sub_3", until: now + 30 * Self.day, created: now + 200), gateway: gateway, secret: Self.secret)
            try await app.sendStripe(ended("evt_3b", "sub_3", at: now + 230), gateway: gateway, secret: Self.secret)
            let cut = try await app.waitForSim(sims[3], key: key) { Self.binding($0)?["trial_until"] as? String == RFC3339.string(from: now + 230) }
            #expect(Self.binding(cut)?["access_ends_at"] as? String == RFC3339.string(from: now + 230), "\(cut)")
        }
    }

    /// The first charge after a trial fails, ending it; its retry is paid later for six days.
    /// Asked only whether anything was ever paid, the trial came back whole: 23 more days of
    /// service for six days of money.
    @Test("money collected after a failed first charge does not bring back the trial the failure ended", arguments: [TestEngine.sqlite])
    func retryPaidAfterFailure(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (key, gateway, sims) = try await Self.bound(app, ["sub_r"], graceHours: 72)
            let sim = sims[0]
            let now = app.clock.now()
            try await app.sendStripe(Self.trial("evt_t", subscription: "sub_r", until: now + 20 * Self.day, created: now - 10 * Self.day), gateway: gateway, secret: Self.secret)
            try await app.sendStripe(StripeEvents.paymentFailed(id: "evt_f", subscription: "sub_r", created: now - 7 * Self.day), gateway: gateway, secret: Self.secret)
            try await app.waitForSim(sim, key: key) { $0["status"] as? String == "OFFLINE" }
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_p", subscription: "sub_r", periodStart: now - 7 * Self.day, periodEnd: now - Self.day, created: now),
                                     gateway: gateway, secret: Self.secret)
            let state = try await app.waitForSim(sim, key: key) { Self.binding($0)?["paid_until"] as? String == RFC3339.string(from: now - Self.day) }
            #expect(Self.binding(state)?["trial_until"] as? String == RFC3339.string(from: now - 7 * Self.day), "\(state)")
            // The paid days and their grace, not the trial's three weeks.
            #expect(Self.binding(state)?["access_ends_at"] as? String == RFC3339.string(from: now + 2 * Self.day), "\(state)")
            #expect(state["status"] as? String == "LIVE", "\(state)")
        }
    }

    /// A trial's grant dated ten years ahead came after every failure, so the failed first
    /// charge that ends a trial never ended that one.
    @Test("a trial granted with a time far ahead is still ended by its first failed charge", arguments: [TestEngine.sqlite])
    func grantDatedAhead(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (key, gateway, sims) = try await Self.bound(app, ["sub_f"], graceHours: 0)
            let sim = sims[0]
            let start = app.clock.now()
            try await app.sendStripe(Self.trial("evt_t", subscription: "sub_f", until: start + 30 * Self.day, created: start + 3_650 * Self.day), gateway: gateway, secret: Self.secret)
            try await app.waitForSim(sim, key: key) { $0["status"] as? String == "LIVE" }
            app.clock.set(start + Self.day)
            try await app.sendStripe(StripeEvents.paymentFailed(id: "evt_f", subscription: "sub_f", created: app.clock.now()), gateway: gateway, secret: Self.secret)
            let cut = try await app.waitForSim(sim, key: key) { $0["status"] as? String == "OFFLINE" }
            #expect(Self.binding(cut)?["trial_until"] as? String == RFC3339.string(from: start + Self.day), "\(cut)")
        }
    }

    /// Without a total, an invoice whose `amount_paid` was negative counted as money, and so did
    /// one marked paid with its whole amount still to collect.
    @Test("an invoice with a negative amount paid, or an amount still to collect, extends nothing; a renewal's failure records no empty update", arguments: [TestEngine.sqlite])
    func amountsThatPayNothing(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (key, gateway, sims) = try await Self.bound(app, ["sub_x", "sub_p"], graceHours: 72)
            let start = app.clock.now()
            func invoice(_ id: String, _ change: (inout [String: Any]) -> Void) -> [String: Any] {
                StripeEvents.changingObject(StripeEvents.invoicePaid(id: id, subscription: "sub_x", periodStart: start, periodEnd: start + 90 * Self.day, created: start), change)
            }
            try await app.sendStripe(invoice("evt_negative") { $0["total"] = nil; $0["amount_paid"] = -5 }, gateway: gateway, secret: Self.secret)
            try await app.sendStripe(invoice("evt_remaining") { $0["total"] = 900; $0["amount_paid"] = 0; $0["amount_remaining"] = 900 }, gateway: gateway, secret: Self.secret)
            try await app.waitForGatewayEvents(key: key)
            let state = try await app.request(.get, "/v1/sims/\(sims[0])", key: key)
            #expect(state["status"] == "INVENTORY" && Self.binding(state.json)?["paid_until"] is NSNull, "\(state.text)")
            let outcomes = Dictionary(uniqueKeysWithValues: try await app.request(.get, "/v1/gateway_events?limit=10", key: key).items.map {
                ($0["external_id"] as? String ?? "?", ($0["status"] as? String ?? "", $0["outcome"] as? String ?? ""))
            })
            #expect(outcomes["evt_negative"]?.0 == "ignored" && outcomes["evt_negative"]?.1.contains("amount_paid is negative") == true, "\(outcomes)")
            #expect(outcomes["evt_remaining"]?.0 == "ignored" && outcomes["evt_remaining"]?.1.contains("amount_remaining") == true, "\(outcomes)")
            // Mistyped status and paid flags were read as absent, and counted as money.
            try await app.sendStripe(invoice("evt_status_5") { $0["status"] = 5 }, gateway: gateway, secret: Self.secret)
            try await app.sendStripe(invoice("evt_paid_text") { $0["status"] = nil; $0["paid"] = "false" }, gateway: gateway, secret: Self.secret)
            try await app.sendStripe(invoice("evt_remaining_below") { $0["amount_remaining"] = -100 }, gateway: gateway, secret: Self.secret)
            try await app.waitForGatewayEvents(key: key)
            let mistyped = try await app.request(.get, "/v1/sims/\(sims[0])", key: key)
            #expect(mistyped["status"] == "INVENTORY" && Self.binding(mistyped.json)?["paid_until"] is NSNull, "\(mistyped.text)")

            // A paid month, then its renewal fails: the failure has its own event, and an update
            // naming no attribute is not recorded.
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_paid", subscription: "sub_p", periodStart: start, periodEnd: start + 30 * Self.day, created: start),
                                     gateway: gateway, secret: Self.secret)
            app.clock.set(start + 30 * Self.day + 3_600)
            try await app.sendStripe(StripeEvents.paymentFailed(id: "evt_renewal", subscription: "sub_p", created: app.clock.now()), gateway: gateway, secret: Self.secret)
            try await app.waitForGatewayEvents(key: key)
            let failed = try await app.request(.get, "/v1/events?type=billing_binding.payment_failed", key: key).items
            #expect(failed.count == 1)
            let updates = try await app.request(.get, "/v1/events?type=billing_binding.updated&limit=100", key: key).items
            #expect(!updates.isEmpty)
            for update in updates {
                let previous = (update["data"] as? [String: Any])?["previous_attributes"] as? [String: Any]
                #expect(previous?.isEmpty == false, "\(update)")
            }
        }
    }
}
