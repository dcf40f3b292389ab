import Foundation

/// Reads the body of a generic (Standard Webhooks) payment event, SimGate's own format for
/// payment methods that are neither Stripe nor Braintree:
///
/// ```json
/// {"type": "payment.succeeded", "subscription": "contract-981", "iccid": "8988...",
///  "paid_until": "2026-12-01T00:00:00Z", "occurred_at": "2026-11-01T09:30:00Z"}
/// ```
///
/// `type` is `payment.succeeded` (needs `paid_until`), `payment.failed` or
/// `subscription.canceled`. `subscription` is the sender's id for the paying contract;
/// `iccid` or `imei` names the SIM and binds it. `occurred_at` defaults to the webhook time.
public enum GenericPaymentEventReader {
    /// The event types the generic format accepts; any other is refused.
    public static let types = ["payment.succeeded", "payment.failed", "subscription.canceled"]

    /// Reads `body` into a notification. `externalID` (the webhook id) is its deduplication key;
    /// `sentAt` is used as the time when the body has no `occurred_at`.
    public static func read(_ body: Data, externalID: String, sentAt: Date) throws(GatewayPayloadError) -> GatewayNotification {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            throw GatewayPayloadError("The body is not a JSON object.")
        }
        guard let type = object["type"] as? String, types.contains(type) else {
            throw GatewayPayloadError("'type' must be one of \(types.joined(separator: ", ")).", field: "type")
        }
        // Held to what the API takes for a binding's subscription.
        guard let subscription = object["subscription"] as? String, BillingBinding.isUsableSubscriptionID(subscription) else {
            throw GatewayPayloadError("'subscription' must be a non-blank string of at most 255 characters, without control characters.", field: "subscription")
        }
        let occurredAt: Date
        if let text = object["occurred_at"] as? String {
            guard let date = timestamp(text) else { throw GatewayPayloadError("'occurred_at' must be an RFC 3339 time.", field: "occurred_at") }
            occurredAt = date
        } else {
            occurredAt = sentAt
        }
        let fact: EntitlementFact
        switch type {
        case "payment.succeeded":
            guard let text = object["paid_until"] as? String, let paidUntil = timestamp(text) else {
                throw GatewayPayloadError("payment.succeeded needs 'paid_until' as an RFC 3339 time.", field: "paid_until")
            }
            fact = .paidThrough(paidUntil)
        case "payment.failed":
            fact = .paymentFailed(at: occurredAt)
        default:
            fact = .ended(at: occurredAt)
        }
        var hint: GatewayNotification.SimHint?
        if let iccid = object["iccid"] as? String { hint = .iccid(iccid) } else if let imei = object["imei"] as? String { hint = .imei(imei) }
        return GatewayNotification(externalID: externalID, type: type, occurredAt: occurredAt, subscriptionID: subscription, simHint: hint, fact: fact)
    }

    private static func timestamp(_ text: String) -> Date? {
        RFC3339Time.storableDate(from: text)
    }
}
