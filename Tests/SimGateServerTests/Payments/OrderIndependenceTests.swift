import Foundation
import SimGateCore
@testable import SimGateServer
import SimGateTestSupport
import Testing

@Suite("Payment events in any order")
struct OrderIndependenceTests {
    static let secret = "whsec_order_test"
    static let day: TimeInterval = 86_400

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
                "\(binding["paid_until"] ?? "-")", "\(binding["grace_until"] ?? "-")", "\(binding["ended_at"] ?? "-")",
                "\(binding["access_ends_at"] ?? "-")",
            ]
        }
        return result.value
    }

    final class ResultBox: @unchecked Sendable {
        // @unchecked: written once inside the harness closure, read after it returns.
        var value: [String] = []
    }

    @Test("random permutations with duplicates end in the in-order state", arguments: TestEngine.available, ["immediately", "end_of_period"])
    func permutations(engine: TestEngine, policy: String) async throws {
        let events = try Self.history(start: ManualWallClock().now()).map { try JSONSerialization.data(withJSONObject: $0) }
        let inOrder = try await Self.finalState(after: events, engine: engine, policy: policy)
        #expect(inOrder[1] != "-", "the in-order run bound and paid: \(inOrder)")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<4 {
            var delivered = events + (0..<3).map { _ in events.randomElement(using: &generator)! }
            delivered.shuffle(using: &generator)
            let state = try await Self.finalState(after: delivered, engine: engine, policy: policy)
            #expect(state == inOrder, "order \(delivered.map { String(decoding: $0.prefix(20), as: UTF8.self) })")
        }
    }
}
