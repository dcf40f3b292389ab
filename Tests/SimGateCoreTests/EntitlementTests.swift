import Foundation
import Testing
@testable import SimGateCore

@Suite("Entitlement from payment facts")
struct EntitlementTests {
    static let day: TimeInterval = 86_400
    static let start = Date(timeIntervalSince1970: 1_798_761_600)
    static let grace: TimeInterval = 3 * day

    /// A year of a realistic subscription: monthly payments, one failure and recovery, then
    /// cancellation.
    static let history: [EntitlementFact] = [
        .paidThrough(start + 30 * day),
        .paidThrough(start + 60 * day),
        .paymentFailed(at: start + 60 * day),
        .paymentFailed(at: start + 61 * day),
        .paidThrough(start + 90 * day),
        .paidThrough(start + 120 * day),
        .ended(at: start + 100 * day),
    ]

    static func fold(_ facts: [EntitlementFact]) -> Entitlement {
        facts.reduce(Entitlement()) { $0.merging($1) }
    }

    @Test("any permutation with any duplicates of a history gives the in-order state")
    func orderAndDuplicatesDoNotMatter() {
        var generator = SystemRandomNumberGenerator()
        let inOrder = Self.fold(Self.history)
        for _ in 0..<2_000 {
            var delivered = Self.history
            for _ in 0..<Int.random(in: 0...6, using: &generator) { delivered.append(Self.history.randomElement(using: &generator)!) }
            delivered.shuffle(using: &generator)
            let state = Self.fold(delivered)
            #expect(state == inOrder)
            for policy in CancellationPolicy.allCases {
                #expect(state.accessEnds(under: policy, grace: Self.grace) == inOrder.accessEnds(under: policy, grace: Self.grace))
            }
        }
    }

    @Test("paid_until only grows")
    func paidUntilGrows() {
        let state = Self.fold([.paidThrough(Self.start + 60 * Self.day), .paidThrough(Self.start + 30 * Self.day)])
        #expect(state.paidUntil == Self.start + 60 * Self.day)
    }

    @Test("a failed renewal opens a grace window from the end of the paid period; a later payment carries past it")
    func grace() {
        let failed = Self.fold([.paidThrough(Self.start + 30 * Self.day), .paymentFailed(at: Self.start + 30 * Self.day)])
        #expect(failed.accessEnds(under: .immediately, grace: Self.grace) == Self.start + 33 * Self.day)
        #expect(failed.requiresPaymentHold(at: Self.start + 32 * Self.day, under: .immediately, grace: Self.grace) == false)
        #expect(failed.requiresPaymentHold(at: Self.start + 33 * Self.day, under: .immediately, grace: Self.grace) == true)
        let recovered = failed.merging(.paidThrough(Self.start + 60 * Self.day))
        #expect(recovered.requiresPaymentHold(at: Self.start + 40 * Self.day, under: .immediately, grace: Self.grace) == false)
        // The window moves with the paid period: it covers the next renewal's collection.
        #expect(recovered.graceUntil(grace: Self.grace) == Self.start + 63 * Self.day)
    }

    /// Stripe charges a renewal about an hour after the period ends; with grace only after a
    /// reported failure, every paying SIM went OFFLINE for that hour each month.
    @Test("grace covers a renewal still being collected, not only one that failed")
    func graceCoversCollection() {
        let paid = Self.fold([.paidThrough(Self.start + 30 * Self.day)])
        #expect(paid.requiresPaymentHold(at: Self.start + 30 * Self.day + 3_600, under: .immediately, grace: Self.grace) == false)
        #expect(paid.requiresPaymentHold(at: Self.start + 33 * Self.day, under: .immediately, grace: Self.grace) == true)
        #expect(paid.requiresPaymentHold(at: Self.start + 30 * Self.day, under: .immediately, grace: 0) == true)
    }

    @Test("retries after a lapse do not extend grace: it runs once, from the end of the last paid period")
    func graceRunsOnce() {
        let retries = (0..<5).map { EntitlementFact.paymentFailed(at: Self.start + 30 * Self.day + Double($0 * 2) * Self.day) }
        let state = Self.fold([.paidThrough(Self.start + 30 * Self.day)] + retries)
        #expect(state.accessEnds(under: .immediately, grace: Self.grace) == Self.start + 33 * Self.day)
    }

    @Test("a first payment that fails gives no grace and no access: grace exists only after a paid period")
    func noGraceWithoutPayment() {
        let state = Self.fold([.paymentFailed(at: Self.start)])
        #expect(!state.hasPaidPeriod)
        #expect(state.graceUntil(grace: Self.grace) == nil)
        #expect(state.requiresPaymentHold(at: Self.start, under: .immediately, grace: Self.grace) == true)
        let ended = Self.fold([.paymentFailed(at: Self.start), .ended(at: Self.start + Self.day)])
        for policy in CancellationPolicy.allCases {
            #expect(ended.requiresPaymentHold(at: Self.start, under: policy, grace: Self.grace) == true)
            // Shown as when it ended: the first fact that said no payment would come, not year 1.
            #expect(state.accessEnds(under: policy, grace: Self.grace) == Self.start)
            #expect(ended.accessEnds(under: policy, grace: Self.grace) == Self.start)
            #expect(Self.fold([.ended(at: Self.start + Self.day)]).accessEnds(under: policy, grace: Self.grace) == Self.start + Self.day)
        }
    }

    @Test("a trial gives access to its end, but a first charge failing after it opens no grace; money collected once brings grace back")
    func trialIsNotMoney() {
        let trialEnd = Self.start + 14 * Self.day
        let failedConversion = Self.fold([.trialThrough(trialEnd, grantedAt: Self.start), .paymentFailed(at: trialEnd + 60)])
        #expect(failedConversion.hasPaidPeriod)
        #expect(failedConversion.paidUntil == nil && failedConversion.trialUntil == trialEnd)
        #expect(failedConversion.graceUntil(grace: Self.grace) == nil)
        #expect(failedConversion.requiresPaymentHold(at: trialEnd - 1, under: .immediately, grace: Self.grace) == false)
        #expect(failedConversion.requiresPaymentHold(at: trialEnd, under: .immediately, grace: Self.grace) == true)
        // Converted, paid a month, then the renewal failed: grace from the paid month's end.
        let renewalFailed = Self.fold([.trialThrough(trialEnd, grantedAt: Self.start), .paidThrough(trialEnd + 30 * Self.day), .paymentFailed(at: trialEnd + 30 * Self.day)])
        #expect(renewalFailed.graceUntil(grace: Self.grace) == trialEnd + 33 * Self.day)
        // A trial granted after money was paid (a free month added) carries grace to its own end.
        let extended = Self.fold([.paidThrough(Self.start + 30 * Self.day), .trialThrough(Self.start + 60 * Self.day, grantedAt: Self.start + 20 * Self.day), .paymentFailed(at: Self.start + 60 * Self.day)])
        #expect(extended.accessEnds(under: .immediately, grace: Self.grace) == Self.start + 63 * Self.day)
        #expect(extended.accessEnds(under: .endOfPeriod, grace: Self.grace) == Self.start + 63 * Self.day)
        // Ended inside the free month under end_of_period: the paid month has run out, and the
        // trial ends with its subscription (it ran on, unpaid, to day 60).
        #expect(extended.merging(.ended(at: Self.start + 40 * Self.day)).accessEnds(under: .endOfPeriod, grace: Self.grace) == Self.start + 40 * Self.day)
        #expect(extended.merging(.ended(at: Self.start + 20 * Self.day)).accessEnds(under: .endOfPeriod, grace: Self.grace) == Self.start + 30 * Self.day)

        // A first charge failing while the trial runs ended it early; one that failed before a
        // trial was granted (given instead of the charge) leaves that trial alone, in any order.
        let cutShort = Self.fold([.trialThrough(trialEnd, grantedAt: Self.start), .paymentFailed(at: Self.start + Self.day)])
        #expect(cutShort.trialEnd == Self.start + Self.day)
        #expect(cutShort.accessEnds(under: .immediately, grace: Self.grace) == Self.start + Self.day)
        let grantedAfter: [EntitlementFact] = [.paymentFailed(at: Self.start + Self.day), .trialThrough(trialEnd, grantedAt: Self.start + 2 * Self.day)]
        for facts in [grantedAfter, grantedAfter.reversed()] {
            #expect(Self.fold(facts).trialEnd == trialEnd)
        }
        // The same trial told twice keeps its latest telling, in either order: told again after
        // a failure, the gateway says the trial runs (the merchant gave it back).
        let twice = Self.fold([.trialThrough(trialEnd, grantedAt: Self.start + Self.day), .trialThrough(trialEnd, grantedAt: Self.start)])
        #expect(twice == Self.fold([.trialThrough(trialEnd, grantedAt: Self.start), .trialThrough(trialEnd, grantedAt: Self.start + Self.day)]))
        #expect(twice.trialGrantedAt == Self.start + Self.day)
        // The latest grant is the trial, shorter or not; an end told cuts only grants before it.
        let shortened = Self.fold([.trialThrough(trialEnd, grantedAt: Self.start), .trialThrough(Self.start + 3 * Self.day, grantedAt: Self.start + Self.day)])
        #expect(shortened.trialEnd == Self.start + 3 * Self.day)
        let endedThenGranted: [EntitlementFact] = [
            .trialThrough(trialEnd, grantedAt: Self.start), .trialEnded(at: Self.start + Self.day), .trialThrough(Self.start + 5 * Self.day, grantedAt: Self.start + 2 * Self.day),
        ]
        for facts in [endedThenGranted, endedThenGranted.reversed(), [endedThenGranted[1], endedThenGranted[2], endedThenGranted[0]]] {
            #expect(Self.fold(facts).trialEnd == Self.start + 5 * Self.day)
        }
        #expect(Self.fold(Array(endedThenGranted.prefix(2))).trialEnd == Self.start + Self.day)
    }

    @Test("an ended subscription stays ended, stopping now or at the end of the paid period")
    func endIsAbsorbing() {
        let ended = Self.fold([.paidThrough(Self.start + 30 * Self.day), .ended(at: Self.start + 10 * Self.day), .paidThrough(Self.start + 60 * Self.day)])
        #expect(ended.accessEnds(under: .immediately, grace: Self.grace) == Self.start + 10 * Self.day)
        #expect(ended.accessEnds(under: .endOfPeriod, grace: Self.grace) == Self.start + 60 * Self.day)
        // No grace after the end.
        let failedThenEnded = Self.fold([.paidThrough(Self.start + 30 * Self.day), .paymentFailed(at: Self.start + 30 * Self.day), .ended(at: Self.start + 31 * Self.day)])
        #expect(failedThenEnded.accessEnds(under: .endOfPeriod, grace: Self.grace) == Self.start + 30 * Self.day)
    }

    @Test("with no fact, payments have no say")
    func noFacts() {
        #expect(Entitlement().requiresPaymentHold(at: Self.start, under: .immediately, grace: Self.grace) == nil)
    }
}
