import Foundation

/// What a SIM's subscription entitles it to, merged from every gateway fact received.
///
/// Each field only moves one way (`paidUntil` and `graceUntil` forward, `endedAt` to the
/// earliest end), so merging is commutative, associative and idempotent: duplicates and any
/// arrival order give the same state. Whether data is allowed is then a function of the
/// state and the current time, so a lapse needs no event at all to take effect.
public struct Entitlement: Equatable, Sendable {
    /// End of the latest paid period.
    public private(set) var paidUntil: Date?
    /// End of the latest grace window opened by a failed payment.
    public private(set) var graceUntil: Date?
    /// When the subscription ended, if it has.
    public private(set) var endedAt: Date?

    public init(paidUntil: Date? = nil, graceUntil: Date? = nil, endedAt: Date? = nil) {
        self.paidUntil = paidUntil
        self.graceUntil = graceUntil
        self.endedAt = endedAt
    }

    /// Whether any fact has been received yet. With none, payments have no say over the SIM.
    public var hasFacts: Bool { paidUntil != nil || graceUntil != nil || endedAt != nil }

    /// This entitlement with `fact` merged in; `graceLength` is in seconds.
    public func merging(_ fact: EntitlementFact, graceLength: TimeInterval) -> Entitlement {
        var next = self
        switch fact {
        case .paidThrough(let end):
            next.paidUntil = Self.later(paidUntil, end)
        case .paymentFailed(let time):
            next.graceUntil = Self.later(graceUntil, time + graceLength)
        case .ended(let time):
            next.endedAt = endedAt.map { min($0, time) } ?? time
        }
        return next
    }

    /// The instant data stops under `policy`; `nil` when no fact has arrived.
    ///
    /// Running: the later of the paid period and the grace window. Ended immediately: the end.
    /// Ended at period end: the paid period, with no grace (and the end itself if never paid).
    public func accessEnds(under policy: CancellationPolicy) -> Date? {
        guard hasFacts else { return nil }
        let running = [paidUntil, graceUntil].compactMap { $0 }.max()
        guard let endedAt else { return running ?? .distantPast }
        switch policy {
        case .immediately: return min(endedAt, running ?? endedAt)
        case .endOfPeriod: return paidUntil ?? endedAt
        }
    }

    /// Whether the `payment` hold must be in force at `now`: exactly when now >= the access end.
    /// `nil` when payments have no say yet.
    public func requiresPaymentHold(at now: Date, under policy: CancellationPolicy) -> Bool? {
        accessEnds(under: policy).map { now >= $0 }
    }

    private static func later(_ current: Date?, _ candidate: Date) -> Date {
        current.map { max($0, candidate) } ?? candidate
    }
}
