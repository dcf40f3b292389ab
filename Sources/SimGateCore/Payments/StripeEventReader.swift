import Foundation

/// Reads Stripe event JSON (both the pre- and post-2025-03-31 payload shapes).
public enum StripeEventReader {
    /// Reads a Stripe event body. Types that say nothing about SIMs give a notification with no fact.
    public static func read(_ body: Data) throws(GatewayPayloadError) -> GatewayNotification {
        guard let event = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            throw GatewayPayloadError("The body is not a JSON object.")
        }
        // Each missing or mistyped field named by itself, as `param`: the message listed all four.
        guard let id = event["id"] as? String, !id.isEmpty else { throw GatewayPayloadError("A Stripe event needs its 'id' as text.", field: "id") }
        guard let type = event["type"] as? String else { throw GatewayPayloadError("A Stripe event needs its 'type' as text.", field: "type") }
        guard let created = number(event["created"]) else {
            throw GatewayPayloadError("A Stripe event needs 'created' as Unix seconds.", field: "created")
        }
        guard let object = (event["data"] as? [String: Any])?["object"] as? [String: Any] else {
            throw GatewayPayloadError("A Stripe event needs 'data.object' as an object.", field: "data.object")
        }
        let occurredAt = Date(timeIntervalSince1970: created)

        func notification(
            subscription: String?, metadata: [String: Any]?, fact: EntitlementFact?, fallbackICCID: String? = nil, noFactBecause: String? = nil
        ) -> GatewayNotification {
            GatewayNotification(
                externalID: id, type: type, occurredAt: occurredAt, subscriptionID: subscription,
                simHint: simHint(metadata, fallbackICCID: fallbackICCID), fact: fact, noFactBecause: noFactBecause
            )
        }

        switch type {
        case "checkout.session.completed":
            let metadata = ((object["subscription_data"] as? [String: Any])?["metadata"] as? [String: Any]) ?? (object["metadata"] as? [String: Any])
            return notification(subscription: reference(object["subscription"]), metadata: metadata, fact: nil,
                                fallbackICCID: object["client_reference_id"] as? String)
        case "invoice.paid", "invoice.payment_succeeded":
            let (subscription, metadata) = invoiceSubscription(object)
            let ends = ((object["lines"] as? [String: Any])?["data"] as? [[String: Any]] ?? [])
                .compactMap { number(($0["period"] as? [String: Any])?["end"]) }
            // Kept and shown as changing nothing, as Braintree's events without a paid-through
            // date are: refused, it was nowhere to be seen, and Stripe sent it again for days.
            guard let end = ends.max() else {
                return notification(subscription: subscription, metadata: metadata, fact: nil, noFactBecause: "The invoice has no line with a numeric period.end.")
            }
            for field in ["total", "amount_paid", "amount_remaining"] where !(object[field] == nil || object[field] is NSNull || number(object[field]) != nil) {
                return notification(subscription: subscription, metadata: metadata, fact: nil, noFactBecause: "The invoice's \(field) is not a number.")
            }
            // Taken on its type alone, an invoice still open (`status`, or `paid: false` in older
            // API versions) extended access, and one for a negative total counted as money.
            // Mistyped, a status or paid flag says nothing either way: read as absent, a status
            // of 5 or a paid of "false" counted as money.
            if let status = object["status"], !(status is NSNull), !(status is String) {
                return notification(subscription: subscription, metadata: metadata, fact: nil, noFactBecause: "The invoice's status is not text.")
            }
            if let paid = object["paid"], !(paid is NSNull), !isBoolean(paid) {
                return notification(subscription: subscription, metadata: metadata, fact: nil, noFactBecause: "The invoice's paid is not true or false.")
            }
            if let status = object["status"] as? String, status != "paid" {
                return notification(subscription: subscription, metadata: metadata, fact: nil, noFactBecause: "The invoice's status is \(TextLimit.quoted(status, maximumLength: 40)), not paid.")
            }
            if let paid = object["paid"] as? Bool, !paid {
                return notification(subscription: subscription, metadata: metadata, fact: nil, noFactBecause: "The invoice says it is not paid (paid: false).")
            }
            if let total = number(object["total"]), total < 0 {
                return notification(subscription: subscription, metadata: metadata, fact: nil, noFactBecause: "The invoice's total is negative: a credit, not a payment.")
            }
            // Without a total, a negative amount paid was counted as money.
            if let paid = number(object["amount_paid"]), paid < 0 {
                return notification(subscription: subscription, metadata: metadata, fact: nil, noFactBecause: "The invoice's amount_paid is negative: not a payment.")
            }
            if let remaining = number(object["amount_remaining"]), remaining != 0 {
                return notification(subscription: subscription, metadata: metadata, fact: nil, noFactBecause: "The invoice's amount_remaining is not 0: not paid in full.")
            }
            // An invoice for nothing (the $0 invoice Stripe makes when a trial starts, or one a
            // coupon covers whole: its `total` is 0) grants its period as a trial does: access,
            // but no grace when the first real charge fails. Read as money, it opened grace after
            // every trial. One paid from the customer's credit balance has a total (its
            // `amount_paid` is 0): that is money, collected earlier.
            let paidNothing = (number(object["total"]) ?? number(object["amount_paid"])) == 0
            let until = Date(timeIntervalSince1970: end)
            return notification(subscription: subscription, metadata: metadata, fact: paidNothing ? .trialThrough(until, grantedAt: occurredAt) : .paidThrough(until))
        case "invoice.payment_failed":
            let (subscription, metadata) = invoiceSubscription(object)
            return notification(subscription: subscription, metadata: metadata, fact: .paymentFailed(at: occurredAt))
        case let subscriptionEvent where subscriptionEvent.hasPrefix("customer.subscription."):
            let (fact, reason) = try subscriptionFact(object, type: type, occurredAt: occurredAt)
            return notification(subscription: object["id"] as? String, metadata: object["metadata"] as? [String: Any], fact: fact, noFactBecause: reason)
        default:
            // Named in the outcome: "concerns no subscription" was wrong for an invoice voided,
            // which names one. Refunds and disputes take back money after the fact; what they
            // mean for the device is the merchant's call (suspend it through the API or a rule).
            return notification(subscription: nil, metadata: nil, fact: nil, noFactBecause: "SimGate takes no action on \(TextLimit.quoted(type, maximumLength: 100)): only paid invoices, failed payments and subscription changes move access; a refund, a dispute or a voided invoice leaves it as it is.")
        }
    }

    /// The subscription and its metadata on an invoice: `parent.subscription_details` since
    /// API version 2025-03-31, `subscription` and `subscription_details` before.
    private static func invoiceSubscription(_ invoice: [String: Any]) -> (String?, [String: Any]?) {
        if let details = (invoice["parent"] as? [String: Any])?["subscription_details"] as? [String: Any] {
            return (reference(details["subscription"]), details["metadata"] as? [String: Any])
        }
        let details = invoice["subscription_details"] as? [String: Any]
        return (reference(invoice["subscription"]), details?["metadata"] as? [String: Any])
    }

    /// What a subscription event says. It can end access or report a failed payment, a trial
    /// grants access to `trial_end`, and an `active` one with a `trial_end` says when its trial
    /// ended; an `active` subscription announcing its next period says nothing more, since at
    /// a renewal Stripe moves the period before it collects: only a paid invoice extends access.
    private static func subscriptionFact(
        _ subscription: [String: Any], type: String, occurredAt: Date
    ) throws(GatewayPayloadError) -> (EntitlementFact?, String?) {
        let status = subscription["status"] as? String ?? ""
        if type == "customer.subscription.deleted" || status == "canceled" || status == "incomplete_expired" {
            let end = number(subscription["ended_at"]) ?? number(subscription["canceled_at"])
            return (.ended(at: end.map(Date.init(timeIntervalSince1970:)) ?? occurredAt), nil)
        }
        switch status {
        case "trialing":
            guard let end = number(subscription["trial_end"]) else {
                return (nil, "A trialing subscription without a numeric trial_end changes no entitlement.")
            }
            return (.trialThrough(Date(timeIntervalSince1970: end), grantedAt: occurredAt), nil)
        case "active":
            // A trial ended early (the merchant set `trial_end` to now, or shortened it and it
            // ran out) shows as `active` with `trial_end` moved to when it ended; the first
            // invoice may stay open for days. Read as saying nothing, the trial ran on to the
            // end first granted, with no money collected.
            if let end = number(subscription["trial_end"]) {
                return (.trialEnded(at: min(Date(timeIntervalSince1970: end), occurredAt)), nil)
            }
            return (nil, "An active subscription's period is not a payment; access grows only with a paid invoice.")
        case "past_due", "unpaid":
            return (.paymentFailed(at: occurredAt), nil)
        default:
            // incomplete, paused: no payment was taken and none failed; the paid period runs out by itself.
            return (nil, "A subscription that is \(status.isEmpty ? "without status" : TextLimit.quoted(status, maximumLength: 40)) changes no entitlement.")
        }
    }

    private static func simHint(_ metadata: [String: Any]?, fallbackICCID: String?) -> GatewayNotification.SimHint? {
        if let iccid = metadata?["iccid"] as? String, !iccid.isEmpty { return .iccid(iccid) }
        if let imei = metadata?["imei"] as? String, !imei.isEmpty { return .imei(imei) }
        if let fallbackICCID, !fallbackICCID.isEmpty { return .iccid(fallbackICCID) }
        return nil
    }

    /// An id that Stripe sends either as a string or as an expanded object.
    private static func reference(_ value: Any?) -> String? {
        (value as? String) ?? ((value as? [String: Any])?["id"] as? String)
    }

    /// A JSON number, or `nil`. Foundation hands JSON's `true` and `false` over as numbers
    /// too: `period.end: true` was read as 1970-01-01T00:00:01, `total: false` as an invoice for
    /// nothing. They are told apart by their type.
    private static func number(_ value: Any?) -> TimeInterval? {
        guard let number = value as? NSNumber, !isBoolean(number) else { return nil }
        return number.doubleValue
    }

    /// Whether `value` is JSON's `true` or `false` (Foundation hands those over as numbers).
    private static func isBoolean(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return type(of: number) == booleanType
    }

    private static let booleanType = type(of: NSNumber(value: true))
}
