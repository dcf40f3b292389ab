import Foundation
import SimGateCore
import SimGateStore
@testable import SimGateServer
import SimGateTestSupport
import Testing

/// Builds and sends gateway webhooks the way each gateway does.
extension TestHarness {
    /// Configures a gateway for `key`'s account; returns its id.
    func makeGateway(key: String, _ body: [String: Any]) async throws -> String {
        let reply = try await request(.post, "/v1/payment_gateways", key: key, json: body)
        try #require(reply.status == 201, "\(reply.text)")
        return try #require(reply["id"])
    }

    /// Posts a Stripe event signed with `secret` at the harness clock's time.
    @discardableResult
    func sendStripe(_ event: [String: Any], gateway: String, secret: String, at time: Date? = nil) async throws -> TestReply {
        try await sendStripe(body: try JSONSerialization.data(withJSONObject: event), gateway: gateway, secret: secret, at: time)
    }

    /// Posts an already serialised Stripe event, signed with `secret`.
    @discardableResult
    func sendStripe(body: Data, gateway: String, secret: String, at time: Date? = nil) async throws -> TestReply {
        let header = StripeSignature.header(body: body, secret: secret, time: time ?? clock.now())
        return try await request(.post, "/webhooks/stripe/\(gateway)", key: nil, bytes: body, headers: ["Stripe-Signature": header])
    }

    /// Posts a Braintree notification as a signed form, its base64 payload wrapped with newlines;
    /// `pairsBefore` go ahead of the good pair in `bt_signature`.
    @discardableResult
    func sendBraintree(xml: String, gateway: String, key: BraintreeSignature.KeyPair, pairsBefore: [String] = []) async throws -> TestReply {
        let payload = Data(xml.utf8).base64EncodedString(options: .lineLength76Characters).replacingOccurrences(of: "\r\n", with: "\n") + "\n"
        let signature = (pairsBefore + [BraintreeSignature.sign(payload: payload, key: key)]).joined(separator: "&")
        let form = "bt_signature=" + Self.formEncode(signature) + "&bt_payload=" + Self.formEncode(payload)
        return try await request(.post, "/webhooks/braintree/\(gateway)", key: nil, rawBody: form, headers: ["Content-Type": "application/x-www-form-urlencoded"])
    }

    /// Posts a generic payment event signed the Standard Webhooks way.
    @discardableResult
    func sendGeneric(_ event: [String: Any], id: String, gateway: String, secret: String) async throws -> TestReply {
        let body = try JSONSerialization.data(withJSONObject: event)
        let timestamp = String(Int(clock.now().timeIntervalSince1970))
        let signature = try #require(StandardWebhookSignature.sign(id: id, timestamp: timestamp, body: body, secret: secret))
        return try await request(.post, "/webhooks/generic/\(gateway)", key: nil, rawBody: String(decoding: body, as: UTF8.self),
                                 headers: ["webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature])
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return text.addingPercentEncoding(withAllowedCharacters: allowed)!.replacingOccurrences(of: "%20", with: "+")
    }

    /// Runs the jobs now due (applying events, evaluating lapses), then checks that the SIM
    /// meets `condition`; returns it.
    @discardableResult
    func waitForSim(_ sim: String, key: String, _ condition: @escaping ([String: Any]) -> Bool) async throws -> [String: Any] {
        try await settle()
        let state = try await request(.get, "/v1/sims/\(sim)", key: key).json
        if !condition(state) { Issue.record("SIM \(sim) is not in the expected state: \(state)") }
        return state
    }

    /// Applies every gateway event received so far (and whatever they queue).
    func waitForGatewayEvents(key: String) async throws {
        try await settle()
        let pending = try await request(.get, "/v1/gateway_events?status=received", key: key)
        if !pending.items.isEmpty { Issue.record("gateway events still waiting: \(pending.text)") }
    }
}

/// Realistic Stripe event bodies.
enum StripeEvents {
    static func checkoutCompleted(id: String, subscription: String, iccid: String, created: Date) -> [String: Any] {
        ["id": id, "object": "event", "type": "checkout.session.completed", "created": Int(created.timeIntervalSince1970),
         "data": ["object": ["object": "checkout.session", "mode": "subscription", "subscription": subscription, "client_reference_id": iccid]]]
    }

    /// `invoice.paid` in the current (2025-03-31+) shape, or the earlier one when `legacy`.
    static func invoicePaid(
        id: String, subscription: String, periodStart: Date, periodEnd: Date, created: Date, legacy: Bool = false, metadata: [String: String] = [:],
        amountPaid: Int = 900
    ) -> [String: Any] {
        var invoice: [String: Any] = [
            "object": "invoice", "status": "paid", "amount_paid": amountPaid,
            "lines": ["object": "list", "data": [["period": ["start": Int(periodStart.timeIntervalSince1970), "end": Int(periodEnd.timeIntervalSince1970)]]]],
        ]
        if legacy {
            invoice["subscription"] = subscription
            invoice["subscription_details"] = ["metadata": metadata]
        } else {
            invoice["parent"] = ["type": "subscription_details", "subscription_details": ["subscription": subscription, "metadata": metadata]]
        }
        return ["id": id, "object": "event", "type": "invoice.paid", "created": Int(created.timeIntervalSince1970), "data": ["object": invoice]]
    }

    /// `event` with its `data.object` changed by `change`: for a field a builder does not set.
    static func changingObject(_ event: [String: Any], _ change: (inout [String: Any]) -> Void) -> [String: Any] {
        var event = event
        var data = event["data"] as? [String: Any] ?? [:]
        var object = data["object"] as? [String: Any] ?? [:]
        change(&object)
        data["object"] = object
        event["data"] = data
        return event
    }

    static func paymentFailed(id: String, subscription: String, created: Date) -> [String: Any] {
        ["id": id, "object": "event", "type": "invoice.payment_failed", "created": Int(created.timeIntervalSince1970),
         "data": ["object": ["object": "invoice", "parent": ["subscription_details": ["subscription": subscription]], "lines": ["data": []]]]]
    }

    static func subscriptionDeleted(id: String, subscription: String, endedAt: Date, created: Date) -> [String: Any] {
        ["id": id, "object": "event", "type": "customer.subscription.deleted", "created": Int(created.timeIntervalSince1970),
         "data": ["object": ["id": subscription, "object": "subscription", "status": "canceled", "ended_at": Int(endedAt.timeIntervalSince1970)]]]
    }
}
