import Foundation

/// One thing a payment gateway said about a subscription. Facts only ever add information:
/// the same facts in any order, any number of times, give the same ``Entitlement``.
public enum EntitlementFact: Equatable, Sendable {
    /// Service is paid up to this instant (exclusive).
    case paidThrough(Date)
    /// A trial runs to this instant (exclusive): access without money, so a first charge that
    /// fails after it opens no grace. `grantedAt` is when the gateway said so: a failed charge
    /// between the two ended the trial early.
    case trialThrough(Date, grantedAt: Date)
    /// The trial ended at this instant, before the end it was granted to if the merchant ended
    /// it early: Stripe then shows the subscription `active` with `trial_end` moved to the
    /// instant. It ends only a trial granted before it, never one granted later.
    case trialEnded(at: Date)
    /// A payment failed at this instant: a grace window opens from here.
    case paymentFailed(at: Date)
    /// The subscription ended at this instant; nothing revives it.
    case ended(at: Date)
}
