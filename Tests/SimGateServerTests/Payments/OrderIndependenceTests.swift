import Foundation
import SimGateCore
@testable import SimGateServer
import SimGateTestSupport
import Testing

@Suite("Payment events in any order")
struct OrderIndependenceTests {
    static let secret = "whsec_order_test"
    static let day: TimeInterval = 86_400

    /// The histories the property holds over, by name.
    static let histories = ["quarter", "renewal_unpaid", "first_payment_failed", "trial_then_failure"]

    static func history(_ name: String, start: Date) -> [[String: Any]] {
        switch name {
        case "renewal_unpaid": renewalUnpaid(start: start)
        case "first_payment_failed": firstPaymentFailed(start: start)
        case "trial_then_failure": trialThenFailure(start: start)
        default: history(start: start)
        }
    }

    /// Paid once; the renewal is announced, fails, is retried three times, and the
    /// subscription is deleted.
    static func renewalUnpaid(start: Date) -> [[String: Any]] {
        [
            StripeEvents.checkoutCompleted(id: "evt_a", subscription: "sub_p", iccid: Fixtures.iccid(0), created: start),
            StripeEvents.invoicePaid(id: "evt_b", subscription: "sub_p", periodStart: start, periodEnd: start + 30 * day, created: start),
            BillingSemanticsTests.subscriptionUpdated(id: "evt_c", subscription: "sub_p", status: "active", periodEnd: start + 60 * day, created: start + 30 * day),
            StripeEvents.paymentFailed(id: "evt_d", subscription: "sub_p", created: start + 30 * day + 3_600),
            StripeEvents.paymentFailed(id: "evt_e", subscription: "sub_p", created: start + 33 * day),
            StripeEvents.paymentFailed(id: "evt_f", subscription: "sub_p", created: start + 36 * day),
            StripeEvents.subscriptionDeleted(id: "evt_g", subscription: "sub_p", endedAt: start + 40 * day, created: start + 40 * day),
        ]
    }

    /// Never paid: the first charge fails twice.
    static func firstPaymentFailed(start: Date) -> [[String: Any]] {
        [
            StripeEvents.checkoutCompleted(id: "evt_a", subscription: "sub_p", iccid: Fixtures.iccid(0), created: start),
            StripeEvents.paymentFailed(id: "evt_b", subscription: "sub_p", created: start),
            StripeEvents.paymentFailed(id: "evt_c", subscription: "sub_p", created: start + day),
        ]
    }

    /// A 14-day trial whose conversion fails.
    static func trialThenFailure(start: Date) -> [[String: Any]] {
        [
            StripeEvents.checkoutCompleted(id: "evt_a", subscription: "sub_p", iccid: Fixtures.iccid(0), created: start),
            BillingSemanticsTests.subscriptionUpdated(id: "evt_b", subscription: "sub_p", status: "trialing", periodEnd: start + 14 * day, created: start, trialEnd: start + 14 * day),
            StripeEvents.paymentFailed(id: "evt_c", subscription: "sub_p", created: start + 14 * day),
            BillingSemanticsTests.subscriptionUpdated(id: "evt_d", subscription: "sub_p", status: "past_due", periodEnd: start + 44 * day, created: start + 15 * day),
        ]
    }

    /// A realistic quarter of one subscription, as Stripe would send it.
    static func history(start: Date) -> [[String: Any]] {
        [
            StripeEvents.checkoutCompleted(id: "evt_a", subscription: "sub_p", iccid: Fixtures.iccid(0), created: start),
            StripeEvents.invoicePaid(id: "evt_b", subscription: "sub_p", periodStart: start, periodEnd: start + 30 * day, created: start),
            StripeEvents.invoicePaid(id: "evt_c", subscription: "sub_p", periodStart: start + 30 * day, periodEnd: start + 60 * day, created: start + 30 * day),
            StripeEvents.paymentFailed(id: "evt_d", subscription: "sub_p", created: start + 60 * day),
            StripeEvents.invoicePaid(id: "evt_e", subscription: "sub_p", periodStart: start + 60 * day, periodEnd: start + 90 * day, created: start + 61 * day, legacy: true),
            ["id": "evt_f", "type": "customer.subscription.updated", "created": Int((start + 61 * day).timeIntervalSince1970),
             "data": ["object": ["id": "sub_p", "status": "active", "items": ["data": [["current_period_end": Int((start + 90 * day).timeIntervalSince1970)]]]]]],
            StripeEvents.subscriptionDeleted(id: "evt_g", subscription: "sub_p", endedAt: start + 75 * day, created: start + 75 * day),
        ]
    }

    /// Delivers `events` to a fresh SimGate and returns the SIM's final status and entitlement.
    static func finalState(after events: [Data], engine: TestEngine, policy: String) async throws -> [String] {
        let result = ResultBox()
        try await TestHarness.run(engine) { app in
            let start = app.clock.now()
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [secret], "cancellation": policy])
            app.clock.set(start + 70 * day)
            for event in events {
                #expect(try await app.sendStripe(body: event, gateway: gateway, secret: secret).status == 200)
            }
            try await app.waitForGatewayEvents(key: key)
            let state = try await app.request(.get, "/v1/sims/\(sim)", key: key).json
            let binding = ((state["billing"] as? [String: Any])?["bindings"] as? [[String: Any]])?.first ?? [:]
            result.value = [
                state["status"] as? String ?? "?",
                "\(binding["paid_until"] ?? "-")", "\(binding["trial_until"] ?? "-")", "\(binding["grace_until"] ?? "-")", "\(binding["ended_at"] ?? "-")",
                "\(binding["access_ends_at"] ?? "-")",
            ]
        }
        return result.value
    }

    final class ResultBox: @unchecked Sendable {
        // @unchecked: written once inside the harness closure, read after it returns.
        var value: [String] = []
    }

    @Test("random permutations with duplicates end in the in-order state, for renewals announced then unpaid, first payments failed, repeated failures and trials",
          arguments: TestEngine.available, ["immediately", "end_of_period"])
    func permutations(engine: TestEngine, policy: String) async throws {
        for name in Self.histories {
            try await Self.holdsOverOrders(Self.history(name, start: ManualWallClock().now()), name: name, engine: engine, policy: policy)
        }
    }

    static func holdsOverOrders(_ history: [[String: Any]], name: String, engine: TestEngine, policy: String) async throws {
        let events = try history.map { try JSONSerialization.data(withJSONObject: $0) }
        let inOrder = try await Self.finalState(after: events, engine: engine, policy: policy)
        // What money says, whatever the order: paid once and lapsed is OFFLINE; never paid stays in stock.
        // The quarter's deletion, dated five days after its receipt, is in force from its
        // receipt: at once where the gateway cuts off at once, at the paid period's end otherwise.
        let expected = switch name {
        case "first_payment_failed": "INVENTORY"
        case "quarter": policy == "immediately" ? "OFFLINE" : "LIVE"
        default: "OFFLINE"
        }
        #expect(inOrder[0] == expected, "\(name) \(policy): \(inOrder)")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3 {
            var delivered = events + (0..<3).map { _ in events.randomElement(using: &generator)! }
            delivered.shuffle(using: &generator)
            let state = try await Self.finalState(after: delivered, engine: engine, policy: policy)
            #expect(state == inOrder, "\(name): order \(delivered.map { String(decoding: $0.prefix(20), as: UTF8.self) })")
        }
    }
}
