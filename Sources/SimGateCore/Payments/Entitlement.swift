import Foundation

/// What a SIM's subscription entitles it to, merged from every gateway fact received.
///
/// Each field only moves one way (`paidUntil`, `lastFailureAt` and `trialEndedAt` forward,
/// `endedAt` to the earliest end, the trial to the latest grant), so merging is commutative, associative and idempotent: duplicates and any
/// arrival order give the same state. Whether data is allowed is then a function of the
/// state, the gateway's grace length and the current time, so a lapse needs no event at all
/// to take effect.
///
/// Money and service agree: only money collected (or a trial granted) extends access. Grace
/// exists only after a period paid for with money, and runs once from the end of the service
/// granted (paid or trial), while the next payment is collected or retried: Stripe charges a
/// renewal about an hour after the period ends, and with grace only after a failure every paying
/// SIM lost its data for that hour each month. More failures do not extend it, and a trial whose
/// first charge fails ends with no grace: a first payment that fails opens none.
public struct Entitlement: Equatable, Sendable {
    /// End of the latest period paid for with money, exclusive.
    public private(set) var paidUntil: Date?
    /// End of the trial the gateway granted last, exclusive.
    public private(set) var trialUntil: Date?
    /// When the trial that runs to ``trialUntil`` was granted (the gateway's time of the event
    /// that told it); nil for a binding stored before this was kept.
    public private(set) var trialGrantedAt: Date?
    /// The latest instant the gateway said a trial ended (``EntitlementFact/trialEnded(at:)``).
    public private(set) var trialEndedAt: Date?
    /// The latest payment that failed.
    public private(set) var lastFailureAt: Date?
    /// When the subscription ended, if it has.
    public private(set) var endedAt: Date?

    /// An entitlement with these facts; all `nil` (the default) means nothing received yet.
    public init(
        paidUntil: Date? = nil, trialUntil: Date? = nil, trialGrantedAt: Date? = nil, trialEndedAt: Date? = nil, lastFailureAt: Date? = nil, endedAt: Date? = nil
    ) {
        self.paidUntil = paidUntil
        self.trialUntil = trialUntil
        self.trialGrantedAt = trialGrantedAt
        self.trialEndedAt = trialEndedAt
        self.lastFailureAt = lastFailureAt
        self.endedAt = endedAt
    }

    /// Whether any fact has been received yet. With none, payments have no say over the SIM.
    /// (A trial's end with no trial told tells nothing of access.)
    public var hasFacts: Bool { paidUntil != nil || trialUntil != nil || lastFailureAt != nil || endedAt != nil }

    /// Whether any period was ever paid for or granted as a trial: such a SIM is provisioned.
    public var hasPaidPeriod: Bool { serviceUntil != nil }

    /// When the trial ends, as far as the facts tell: its end as granted, unless the gateway
    /// said it ended sooner (the merchant ended or shortened it: read as running to its end
    /// as granted, it gave weeks of data with no money collected), or a payment failed while
    /// it ran with no paid period ended by then. That was the first charge, and a first
    /// charge comes only once a trial is over: the merchant ended it early. Read as running to
    /// its end as granted, a trial cut short gave weeks of data after the first charge failed.
    /// A failure before the trial was granted (a first charge that failed, then a trial given
    /// instead) and one after a paid period ended (a renewal's) leave the trial alone. Money
    /// collected after the failure (its retry, for a period ending later) does not make it a
    /// renewal's: asked only whether anything was ever paid, one paid invoice of six days
    /// brought back the three weeks of trial the failure had ended.
    ///
    /// "Before it was granted" allows for clocks: a failure up to ``grantSlack`` before the
    /// grant counts as during the trial. A grant and a failure told seconds apart by a gateway
    /// whose clock runs ahead cannot be ordered, and a trial given instead of a failed charge
    /// comes well after it.
    public var trialEnd: Date? {
        guard var end = trialUntil else { return nil }
        // Both instants are the gateway's own (an event's time and a trial's end it states),
        // so no slack for clocks: a trial granted after another ended is not cut by that end.
        // An end at the very second of the grant is the last trial's: Stripe's next period (an
        // invoice for nothing, say) is granted at the second the trial ended.
        if let ended = trialEndedAt, end > ended, ended > (trialGrantedAt ?? .distantPast) { end = ended }
        if let failed = lastFailureAt, failed < end, paidUntil.map({ $0 > failed }) ?? true,
           failed >= (trialGrantedAt ?? .distantPast).addingTimeInterval(-Self.grantSlack) { return failed }
        return end
    }

    /// How far before a trial's grant a failed charge still counts as during it, in seconds:
    /// the tolerance gateways' signatures allow for clocks.
    public static let grantSlack: TimeInterval = 300

    /// The end of the service granted, paid or trial, whichever runs later.
    public var serviceUntil: Date? { [paidUntil, trialEnd].compactMap { $0 }.max() }

    /// This entitlement with `fact` merged in.
    public func merging(_ fact: EntitlementFact) -> Entitlement {
        var next = self
        switch fact {
        case .paidThrough(let end):
            next.paidUntil = paidUntil.map { max($0, end) } ?? end
        case .trialThrough(let end, let grantedAt):
            // The latest grant is the trial, whatever its end: a merchant who shortens a trial,
            // or grants a new one after ending the last, says so in a later event (kept as the
            // longest trial, a shorter one after a trial ended early was lost). Grants of one
            // instant keep the later end, so any order of tellings gives the same trial.
            guard let current = trialUntil else {
                (next.trialUntil, next.trialGrantedAt) = (end, grantedAt)
                break
            }
            guard let granted = trialGrantedAt else {
                // A binding stored before grants were kept has none, read as the earliest of
                // all: set from a retelling, it brought back a trial a failure had already ended.
                // It takes a later end only, as then.
                if end > current { (next.trialUntil, next.trialGrantedAt) = (end, grantedAt) }
                break
            }
            if grantedAt > granted || (grantedAt == granted && end > current) { (next.trialUntil, next.trialGrantedAt) = (end, grantedAt) }
        case .trialEnded(let time):
            next.trialEndedAt = trialEndedAt.map { max($0, time) } ?? time
        case .paymentFailed(let time):
            next.lastFailureAt = lastFailureAt.map { max($0, time) } ?? time
        case .ended(let time):
            next.endedAt = endedAt.map { min($0, time) } ?? time
        }
        return next
    }

    /// The end of the grace window, `grace` seconds after the service granted, once money was
    /// collected; `nil` when there is no grace. A later payment moves it with the period.
    public func graceUntil(grace: TimeInterval) -> Date? {
        guard grace > 0, paidUntil != nil, let serviceUntil else { return nil }
        // A paid period to the last second of year 9999 plus grace ran into year 10000, a time
        // RFC 3339 cannot write: the window stops where times do.
        return min(serviceUntil + grace, GatewayNotification.latestTime)
    }

    /// The grace window as far as it gives access under `policy`: none once the subscription
    /// ended under `endOfPeriod` (data runs to the paid period only), and under `immediately`
    /// cut at the end. Shown as `grace_until`: the whole window, shown after a cancellation,
    /// told of a grace that was not in force.
    public func graceInForce(under policy: CancellationPolicy, grace: TimeInterval) -> Date? {
        guard let window = graceUntil(grace: grace) else { return nil }
        guard let endedAt else { return window }
        switch policy {
        case .endOfPeriod: return nil
        case .immediately: return endedAt > (serviceUntil ?? endedAt) ? min(window, endedAt) : nil
        }
    }

    /// The instant data stops under `policy` with `grace` seconds of grace; `nil` when no
    /// fact has arrived.
    ///
    /// Running: the later of the service granted and the grace window. Ended immediately: the
    /// end, or earlier if access ran out before it. Ended at period end: the service granted,
    /// no grace. Never granted any: payments gave no access, shown as ended at the earlier of
    /// the subscription's end and its latest failed payment (only the latest is kept), rather
    /// than at a made-up instant shown as year 1.
    public func accessEnds(under policy: CancellationPolicy, grace: TimeInterval) -> Date? {
        guard hasFacts else { return nil }
        let unpaid = [lastFailureAt, endedAt].compactMap { $0 }.min()
        guard let running = [serviceUntil, graceUntil(grace: grace)].compactMap({ $0 }).max() ?? unpaid else { return nil }
        guard let endedAt else { return running }
        switch policy {
        case .immediately: return min(endedAt, running)
        case .endOfPeriod:
            // The paid period runs on; a trial does not outlive its subscription: a trial
            // cancelled on its first day kept the SIM LIVE, unpaid, for the rest of it.
            let trialLeft = trialEnd.map { min($0, endedAt) }
            return [paidUntil, trialLeft].compactMap { $0 }.max() ?? running
        }
    }

    /// Whether the `payment` hold must be in force at `now`: exactly when now >= the access end.
    /// `nil` when payments have no say yet.
    public func requiresPaymentHold(at now: Date, under policy: CancellationPolicy, grace: TimeInterval) -> Bool? {
        accessEnds(under: policy, grace: grace).map { PaymentAccess.hasLapsed(at: now, accessEnds: $0) }
    }
}
