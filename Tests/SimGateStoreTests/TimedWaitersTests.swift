import NIOCore
import NIOPosix
@testable import SimGateStore
import Testing

/// The queue behind the SQLite gate and pool: one timer for all of its waiters' deadlines.
@Suite("Waiters with deadlines", .timeLimit(.minutes(1)))
struct TimedWaitersTests {
    private struct TimedOut: Error, Equatable {
        let after: Int
    }

    @Test("waiters queued with deadlines out of order each fail with their own error when their time is up, and one handed a value gets it")
    func deadlinesOutOfOrder() async throws {
        let waiters = TimedWaiters<Int>()
        let timers = MultiThreadedEventLoopGroup.singleton
        // 200 ms sets the timer; 400 ms waits behind it; 100 ms, earlier, sets it again; the
        // last waits an hour and is handed a value instead. Each later deadline is reached only
        // if a fired timer sets itself for the next one.
        let outcomes = await withTaskGroup(of: (Int, Result<Int, TimedOut>).self) { group in
            for milliseconds in [200, 400, 100, 3_600_000] {
                group.addTask {
                    do {
                        let value = try await waiters.wait(timeout: .milliseconds(milliseconds), timers: timers, timeoutError: { TimedOut(after: milliseconds) })
                        return (milliseconds, .success(value))
                    } catch let error as TimedOut {
                        return (milliseconds, .failure(error))
                    } catch {
                        Issue.record("unexpected \(error)")
                        return (milliseconds, .failure(TimedOut(after: -1)))
                    }
                }
            }
            var outcomes: [Int: Result<Int, TimedOut>] = [:]
            for await (milliseconds, outcome) in group {
                outcomes[milliseconds] = outcome
                // Once the three short ones have failed, only the hour-long one waits.
                if outcomes.count == 3 { #expect(waiters.handOutIfWaiting(7)) }
            }
            return outcomes
        }
        for milliseconds in [100, 200, 400] {
            #expect(outcomes[milliseconds] == .failure(TimedOut(after: milliseconds)))
        }
        #expect(outcomes[3_600_000] == .success(7))
        #expect(!waiters.handOutIfWaiting(8))
    }
}
