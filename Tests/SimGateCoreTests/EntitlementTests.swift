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
        facts.reduce(Entitlement()) { $0.merging($1, graceLength: grace) }
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
                #expect(state.accessEnds(under: policy) == inOrder.accessEnds(under: policy))
            }
        }
    }

    @Test("paid_until only grows")
    func paidUntilGrows() {
        let state = Self.fold([.paidThrough(Self.start + 60 * Self.day), .paidThrough(Self.start + 30 * Self.day)])
        #expect(state.paidUntil == Self.start + 60 * Self.day)
    }

    @Test("a failed payment opens a grace window; a later payment carries past it")
    func grace() {
        let failed = Self.fold([.paidThrough(Self.start + 30 * Self.day), .paymentFailed(at: Self.start + 30 * Self.day)])
        #expect(failed.accessEnds(under: .immediately) == Self.start + 33 * Self.day)
        #expect(failed.requiresPaymentHold(at: Self.start + 32 * Self.day, under: .immediately) == false)
        #expect(failed.requiresPaymentHold(at: Self.start + 33 * Self.day, under: .immediately) == true)
        let recovered = failed.merging(.paidThrough(Self.start + 60 * Self.day), graceLength: Self.grace)
        #expect(recovered.requiresPaymentHold(at: Self.start + 40 * Self.day, under: .immediately) == false)
    }

    @Test("an ended subscription stays ended, stopping now or at the end of the paid period")
    func endIsAbsorbing() {
        let ended = Self.fold([.paidThrough(Self.start + 30 * Self.day), .ended(at: Self.start + 10 * Self.day), .paidThrough(Self.start + 60 * Self.day)])
        #expect(ended.accessEnds(under: .immediately) == Self.start + 10 * Self.day)
        #expect(ended.accessEnds(under: .endOfPeriod) == Self.start + 60 * Self.day)
        // No grace after the end.
        let failedThenEnded = Self.fold([.paidThrough(Self.start + 30 * Self.day), .paymentFailed(at: Self.start + 30 * Self.day), .ended(at: Self.start + 31 * Self.day)])
        #expect(failedThenEnded.accessEnds(under: .endOfPeriod) == Self.start + 30 * Self.day)
    }

    @Test("with no fact, payments have no say")
    func noFacts() {
        #expect(Entitlement().requiresPaymentHold(at: Self.start, under: .immediately) == nil)
    }
}
