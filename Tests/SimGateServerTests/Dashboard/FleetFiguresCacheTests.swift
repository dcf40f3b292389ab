import Foundation
@testable import SimGateServer
import SimGateStore
import Synchronization
import Testing

@Suite("The overview's figures cache", .timeLimit(.minutes(1)))
struct FleetFiguresCacheTests {
    static func figures(at seconds: TimeInterval) -> FleetFigures {
        FleetFigures(
            asOf: Date(timeIntervalSince1970: seconds), usageToday: 1, usageMonth: 2, days: [], countries: [], holds: [],
            bundlesNearEnd: (sims: [], count: 0), rulesFired: [], costs: nil, usageProblem: nil, costsProblem: nil
        )
    }

    @Test("a page never waits past its wait for figures not yet worked out; one computation per account runs at a time; fresh figures are served without another")
    func staleWhileComputing() async throws {
        let cache = FleetFiguresCache(maximumAge: 3_600)
        let computations = Mutex(0)
        let release = OnceSignal(), started = OnceSignal()
        let slow: @Sendable () async throws -> FleetFigures = {
            computations.withLock { $0 += 1 }
            started.open()
            await release.wait()
            return Self.figures(at: 1)
        }
        // Nothing worked out yet, and the computation is held: a page with no wait gets nothing,
        // and a second page does not start a second computation.
        #expect(await cache.figures(for: "acct", wait: 0, compute: slow) == nil)
        #expect(await cache.figures(for: "acct", wait: 0, compute: slow) == nil)
        // The computation runs in a task of its own, which a loaded machine may start late:
        // counted once it has started (it flaked with a count of 0 under a full test run).
        await started.wait()
        #expect(computations.withLock { $0 } == 1)
        release.open()
        // A page that may wait gets the computation's result.
        #expect(await cache.figures(for: "acct", wait: 30, compute: slow)?.asOf == Date(timeIntervalSince1970: 1))
        // Fresh figures come from the cache, with no computation.
        #expect(await cache.figures(for: "acct", wait: 30) { Self.figures(at: 2) }?.asOf == Date(timeIntervalSince1970: 1))
        #expect(computations.withLock { $0 } == 1)
        // Another account has figures of its own.
        #expect(await cache.figures(for: "other", wait: 30) { Self.figures(at: 3) }?.asOf == Date(timeIntervalSince1970: 3))
    }

    @Test("stale figures are shown while new ones are worked out, and a failed computation leaves the last ones")
    func staleFiguresShown() async throws {
        let cache = FleetFiguresCache(maximumAge: 0)
        #expect(await cache.figures(for: "acct", wait: 30) { Self.figures(at: 1) }?.asOf == Date(timeIntervalSince1970: 1))
        let release = OnceSignal()
        let held = await cache.figures(for: "acct", wait: 0) {
            await release.wait()
            return Self.figures(at: 2)
        }
        #expect(held?.asOf == Date(timeIntervalSince1970: 1), "the last figures, not a wait")
        release.open()
        #expect(await cache.figures(for: "acct", wait: 30) { Self.figures(at: 4) }.map(\.asOf) != nil)
        struct Broken: Error {}
        let afterFailure = await cache.figures(for: "acct", wait: 30) { throw Broken() }
        #expect(afterFailure != nil, "a computation that fails keeps what was shown")
    }
}
