import Foundation

/// Reads the XML inside a Braintree webhook's `bt_payload` (already base64-decoded).
///
/// Braintree subscriptions carry no metadata, so the SIM is found through a binding made by
/// subscription id.
public enum BraintreeNotificationReader {
    /// - Parameter externalID: the deduplication key; Braintree notifications have no id of
    ///   their own, so the caller derives one from the signed payload.
    public static func read(_ xml: Data, externalID: String) throws(GatewayPayloadError) -> GatewayNotification {
        guard let root = XMLTree.parse(xml), root.name == "notification" else {
            throw GatewayPayloadError("bt_payload is not a Braintree <notification> document.")
        }
        guard let kind = root.text(at: "kind") else { throw GatewayPayloadError("The notification has no <kind>.") }
        guard let timestampText = root.text(at: "timestamp"), let timestamp = parseTimestamp(timestampText) else {
            throw GatewayPayloadError("The notification has no readable <timestamp>.")
        }
        let subscription = root.child("subject")?.child("subscription")
        let subscriptionID = subscription?.text(at: "id")
        if kind != "check", subscriptionID == nil, kind.hasPrefix("subscription_") {
            throw GatewayPayloadError("A subscription notification has no <subject><subscription><id>.")
        }

        var noFactBecause: String?
        let fact: EntitlementFact?
        switch kind {
        case "subscription_charged_successfully":
            // Paid through a date means service through the end of that day (UTC).
            if let text = subscription?.text(at: "paid-through-date") ?? subscription?.text(at: "billing-period-end-date") {
                if let date = parseDate(text) {
                    fact = .paidThrough(date + 86_400)
                } else {
                    fact = nil
                    noFactBecause = "<paid-through-date> \(TextLimit.quoted(text, maximumLength: 32)) is not a YYYY-MM-DD date; nothing to apply."
                }
            } else {
                fact = nil
                noFactBecause = "The subscription has neither <paid-through-date> nor <billing-period-end-date>; nothing to apply."
            }
        case "subscription_charged_unsuccessfully", "subscription_went_past_due":
            fact = .paymentFailed(at: timestamp)
        case "subscription_canceled", "subscription_expired":
            fact = .ended(at: timestamp)
        case "subscription_went_active", "subscription_billing_skipped", "subscription_trial_ended":
            // No money changed hands: only subscription_charged_successfully extends access.
            fact = nil
            noFactBecause = "\(kind) collects no payment; only subscription_charged_successfully extends access."
        default:
            fact = nil
        }
        return GatewayNotification(
            externalID: externalID, type: kind, occurredAt: timestamp, subscriptionID: subscriptionID, simHint: nil, fact: fact,
            noFactBecause: noFactBecause
        )
    }

    private static func parseTimestamp(_ text: String) -> Date? {
        RFC3339Time.date(from: text)
    }

    /// A `YYYY-MM-DD` date as the start of that day in UTC.
    private static func parseDate(_ text: String) -> Date? {
        RFC3339Time.day(from: text)
    }
}
