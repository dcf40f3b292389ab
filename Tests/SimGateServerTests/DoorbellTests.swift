import Foundation
@testable import SimGateServer
import Testing

@Suite("Scheduler doorbell")
struct DoorbellTests {
    @Test("a ring before or during a wait ends it long before the timeout")
    func ringEndsWait() async {
        let doorbell = Doorbell()
        doorbell.ring()
        let start = ContinuousClock.now
        await doorbell.wait(upTo: .seconds(30))
        async let waited: Void = doorbell.wait(upTo: .seconds(30))
        try? await Task.sleep(for: .milliseconds(50))
        doorbell.ring()
        await waited
        #expect(ContinuousClock.now - start < .seconds(20))
    }

    @Test("without a ring the wait ends at its timeout, and cancelling it returns at once")
    func timeoutAndCancel() async {
        let doorbell = Doorbell()
        let start = ContinuousClock.now
        await doorbell.wait(upTo: .milliseconds(10))
        #expect(ContinuousClock.now - start >= .milliseconds(10))
        let task = Task { await doorbell.wait(upTo: .seconds(60)) }
        task.cancel()
        await task.value
        // A ring after a cancelled wait is kept for the next one.
        doorbell.ring()
        await doorbell.wait(upTo: .seconds(60))
        #expect(ContinuousClock.now - start < .seconds(30))
    }
}
