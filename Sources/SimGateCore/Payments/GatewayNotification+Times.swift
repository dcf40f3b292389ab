import Foundation

extension GatewayNotification {
    /// The earliest instant a gateway's event may name: the Unix epoch, as gateways count.
    public static let earliestTime = Date(timeIntervalSince1970: 0)
    /// The latest: the last second RFC 3339 text can write (9999-12-31T23:59:59Z).
    public static let latestTime = Date(timeIntervalSince1970: 253_402_300_799)

    /// The notification, or an error when it names a time outside ``earliestTime`` to
    /// ``latestTime``.
    ///
    /// A signed Stripe invoice whose period ended at `1e300` seconds once became a paid period
    /// to year 506713, shown as `paid_until` text no client can read, and one at `-1e12` seconds
    /// to 4712 BC; a Braintree date of 9999-12-31 ran to year 10000. Such a payload is no payment
    /// anyone made: it is refused like any payload that cannot be read (`payload_invalid`).
    public func withTimesInRange() throws(GatewayPayloadError) -> GatewayNotification {
        var named: [(field: String, time: Date)] = [("The event's time", occurredAt)]
        switch fact {
        case .paidThrough(let end): named.append(("The paid period's end", end))
        case .trialThrough(let end, let grantedAt): named.append(contentsOf: [("The trial's end", end), ("The trial's grant", grantedAt)])
        case .trialEnded(let at): named.append(("The trial's end", at))
        case .paymentFailed(let at): named.append(("The failure's time", at))
        case .ended(let at): named.append(("The subscription's end", at))
        case nil: break
        }
        for (field, time) in named where !(Self.earliestTime...Self.latestTime).contains(time) {
            throw GatewayPayloadError("\(field) lies outside 1970-01-01 to 9999-12-31.")
        }
        return self
    }

    /// The notification, or an error when its id or type is blank, longer than 255 characters or
    /// holds a control character: a NUL failed the write on PostgreSQL (500, and the gateway resent
    /// the event for days), and an id of a few thousand characters outgrew PostgreSQL's index
    /// entry. No gateway's ids or types come near either. A subscription id is checked where
    /// the event is applied, which says why it binds nothing.
    public func withTextWithinLimits(idField: String) throws(GatewayPayloadError) -> GatewayNotification {
        for (field, text) in [(idField, externalID), ("type", type)] {
            if let problem = TextLimit.problem(in: text, maximumLength: 255) {
                throw GatewayPayloadError("The event's \(field) \(problem).", field: field)
            }
            if TextLimit.isBlank(text) { throw GatewayPayloadError("The event's \(field) must not be blank.", field: field) }
        }
        return self
    }

    /// The notification with its times to the millisecond, as they are stored, a failed
    /// payment or a subscription's end dated after `receivedAt` dated then, and a trial's grant
    /// or end dated no later than the clocks' slack after it: a payment cannot have failed, nor
    /// anything ended or been granted, after it was told.
    ///
    /// To the millisecond: a trial's end of `X.0004` s, compared with the `X.000` stored, was
    /// taken for a later trial, and which telling's grant time was kept depended on the order. A period paid and a trial granted
    /// keep their times, which may lie ahead by nature.
    ///
    /// A never-paid subscription's failure dated ahead (a gateway's clock, or a body saying
    /// 9999) was taken as the instant its access ended, still to come, so a SIM whose paid
    /// period had lapsed went LIVE again until then, on a payment that failed. A cancellation
    /// dated ahead (9999) kept a SIM LIVE on a gateway set to cut off `immediately`: an end
    /// told is in force from its telling. (With `end_of_period` the paid period still runs out.)
    public func reported(noLaterThan receivedAt: Date) -> GatewayNotification {
        // A trial's grant is cut only to the clocks' slack past its receipt: cut to the
        // receipt, with the gateway's clock a few seconds ahead, whichever of a grant and a
        // failure came second looked later, and the order they came in decided whether the
        // failure ended the trial. Not cut at all, a grant dated years ahead came after every
        // failure, and no failed first charge could end that trial.
        let latestGrant = receivedAt.addingTimeInterval(Entitlement.grantSlack)
        let clamped: EntitlementFact? = switch fact {
        case .paymentFailed(let at)?: .paymentFailed(at: min(at, receivedAt).roundedToMilliseconds)
        case .paidThrough(let end)?: .paidThrough(end.roundedToMilliseconds)
        case .trialThrough(let end, let grantedAt)?: .trialThrough(end.roundedToMilliseconds, grantedAt: min(grantedAt, latestGrant).roundedToMilliseconds)
        // Cut like a grant, not to the receipt: both are compared on the gateway's clock, and a
        // trial ended half a minute after its grant by a clock 200 s ahead looked ended before
        // it was granted, and ran its whole length.
        case .trialEnded(let at)?: .trialEnded(at: min(at, latestGrant).roundedToMilliseconds)
        case .ended(let at)?: .ended(at: min(at, receivedAt).roundedToMilliseconds)
        case nil: nil
        }
        guard clamped != fact else { return self }
        return GatewayNotification(
            externalID: externalID, type: type, occurredAt: occurredAt, subscriptionID: subscriptionID, simHint: simHint, fact: clamped,
            noFactBecause: noFactBecause
        )
    }
}
