import Foundation
@testable import SimGateServer
import SimGateStore
import Testing

/// The doorbell with its time injected: one sleeper that time never reaches (only a ring or
/// cancellation can end a wait), one for which the timeout has always already passed. No
/// test here measures how long anything took; the time limit only stops a hang.
@Suite("Scheduler doorbell", .timeLimit(.minutes(1)))
struct DoorbellTests {
    /// A timeout that is never reached: the sleep ends only when cancelled (a signal that
    /// never opens lets its waiter go on cancellation).
    static let timeStandsStill: @Sendable (Duration) async throws -> Void = { _ in
        await OnceSignal().wait()
    }

    @Test("a ring before or during a wait ends it, though its timeout never comes")
    func ringEndsWait() async {
        let doorbell = Doorbell(sleep: Self.timeStandsStill)
        doorbell.ring()
        await doorbell.wait(upTo: .seconds(30))
        async let waited: Void = doorbell.wait(upTo: .seconds(30))
        await Task.yield()
        doorbell.ring()
        await waited
    }

    @Test("without a ring the wait ends at its timeout")
    func timeout() async {
        let doorbell = Doorbell(sleep: { _ in })
        await doorbell.wait(upTo: .seconds(30))
    }

    @Test("cancelling a wait ends it, and a ring after it is kept for the next wait")
    func cancelThenRing() async {
        let doorbell = Doorbell(sleep: Self.timeStandsStill)
        let task = Task { await doorbell.wait(upTo: .seconds(60)) }
        task.cancel()
        await task.value
        doorbell.ring()
        await doorbell.wait(upTo: .seconds(60))
    }
}
