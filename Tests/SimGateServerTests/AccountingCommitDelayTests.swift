import Foundation
import Logging
import ServiceLifecycle
import SimGateCore
@testable import SimGateServer
import SimGateStore
import SimGateTestSupport
import Synchronization
import Testing

/// The accounting commit delay: batches wait for more reports only while reports keep coming,
/// and no longer than it takes for as many to arrive as there were reports in flight.
/// The batcher writes to a real SQLite store; its `apply` and its `sleep` are the test's, so the
/// test decides when a batch is written and when the delay ends, and waits for nothing by time.
@Suite("Accounting commit delay", .timeLimit(.minutes(1)))
struct AccountingCommitDelayTests {
    /// What the batcher did, and the points where the test holds it.
    final class Probe: Sendable {
        /// Each batch's size, in order.
        let batches = Mutex<[Int]>([])
        /// Each delay the batcher waited out.
        let delays = Mutex<[Duration]>([])
        /// Opened when the first batch is being written; it waits for `firstBatchHeld`.
        let firstBatchStarted = OnceSignal()
        let firstBatchHeld = OnceSignal()
        /// Opened when a delay begins; it lasts until `delayHeld` opens.
        let delayStarted = OnceSignal()
        let delayHeld = OnceSignal()
        /// How many delays the batcher ended before they had run out.
        let delaysCutShort = Mutex(0)
        /// Each report's outcome, by session, as the batcher answers.
        let answers = AsyncStream<(String, Bool)>.makeStream()
    }

    /// Runs a batcher with `commitDelay` around `body`, which takes reports with the function
    /// it is given (at once, as the RADIUS port does), then shuts the batcher down. Reports
    /// named in `before` are taken before the batcher starts, so its first batch holds them all.
    static func withBatcher(
        _ engine: TestEngine = .sqlite, commitDelay: Duration, holdFirstBatch: Bool, before: [String] = [],
        _ body: @escaping @Sendable (Probe, @escaping @Sendable (String) -> Void, ServiceGroup) async throws -> Void
    ) async throws {
        try await TestDatabase.with(engine) { database in
            let probe = Probe()
            let startup = StartupSignal()
            startup.open()
            let batcher = AccountingBatcher(
                store: Store(database: database, ids: IdentifierGenerator(clock: SystemWallClock())), metrics: RADIUSMetrics(),
                logger: Logger(label: "test"), startup: startup, commitDelay: commitDelay,
                sleep: { delay in
                    probe.delays.withLock { $0.append(delay) }
                    probe.delayStarted.open()
                    // As with the real sleep, the delay ends when shutdown cancels the batcher's task.
                    await withTaskCancellationHandler { await probe.delayHeld.wait() } onCancel: {
                        probe.delaysCutShort.withLock { $0 += 1 }
                        probe.delayHeld.open()
                    }
                }
            ) { reports, _ in
                let isFirst = probe.batches.withLock { batches in
                    batches.append(reports.count)
                    return batches.count == 1
                }
                if isFirst, holdFirstBatch {
                    probe.firstBatchStarted.open()
                    await probe.firstBatchHeld.wait()
                }
            }
            let group = ServiceGroup(configuration: .init(services: [batcher], gracefulShutdownSignals: [], logger: Logger(label: "test")))
            let take: @Sendable (String) -> Void = { session in
                batcher.take(LedgerFixture.report(.interimUpdate, session: session, imsi: Fixtures.imsi(1))) { result in
                    if case .success = result { probe.answers.continuation.yield((session, true)) } else { probe.answers.continuation.yield((session, false)) }
                }
            }
            for session in before { take(session) }
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await body(probe, take, group)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }

    /// The next `count` answers, in the order given.
    static func answers(_ count: Int, from probe: Probe, iterator: inout AsyncStream<(String, Bool)>.Iterator) async -> [String] {
        var answered: [String] = []
        while answered.count < count, let (session, stored) = await iterator.next() {
            #expect(stored, "\(session) was not stored")
            answered.append(session)
        }
        return answered
    }

    /// Takes `first`, then each of `during` while the first batch (`first` alone) is being
    /// written, so reports keep coming; returns once `first` is answered.
    static func arrive(
        _ first: String, then during: [String], _ probe: Probe, _ take: (String) -> Void,
        _ iterator: inout AsyncStream<(String, Bool)>.Iterator
    ) async {
        take(first)
        await probe.firstBatchStarted.wait()
        for session in during { take(session) }
        probe.firstBatchHeld.open()
        #expect(await answers(1, from: probe, iterator: &iterator) == [first])
    }

    /// Takes "first", then "second" while the first batch is being written; returns once
    /// "first" is answered.
    static func secondArrivesDuringFirst(
        _ probe: Probe, _ take: (String) -> Void, _ iterator: inout AsyncStream<(String, Bool)>.Iterator
    ) async {
        await arrive("first", then: ["second"], probe, take, &iterator)
    }

    @Test("a gateway that sends one report at a time and waits for each answer is never delayed")
    func oneAtATime() async throws {
        try await Self.withBatcher(commitDelay: .milliseconds(20), holdFirstBatch: false) { probe, take, _ in
            var iterator = probe.answers.stream.makeAsyncIterator()
            for index in 0..<20 {
                take("one-\(index)")
                #expect(await Self.answers(1, from: probe, iterator: &iterator) == ["one-\(index)"])
            }
            #expect(probe.batches.withLock { $0 } == Array(repeating: 1, count: 20))
            #expect(probe.delays.withLock { $0 }.isEmpty, "a report that came alone waited for others")
        }
    }

    @Test("reports that arrive while a batch is written make the next batch wait out the delay when no more come")
    func reportsKeepComing() async throws {
        try await Self.withBatcher(commitDelay: .milliseconds(3), holdFirstBatch: true) { probe, take, _ in
            var iterator = probe.answers.stream.makeAsyncIterator()
            await Self.arrive("first", then: ["second", "third"], probe, take, &iterator)
            // Two came during the write and one was answered: the next batch waits for a third
            // report, and none comes before the delay runs out.
            await probe.delayStarted.wait()
            probe.delayHeld.open()
            #expect(await Self.answers(2, from: probe, iterator: &iterator) == ["second", "third"])
            #expect(probe.batches.withLock { $0 } == [1, 2])
            #expect(probe.delays.withLock { $0 } == [.milliseconds(3)])
            #expect(probe.delaysCutShort.withLock { $0 } == 0)
        }
    }

    @Test("a report short of the wait's target joins the waiting batch without ending the wait")
    func shortOfTheTarget() async throws {
        try await Self.withBatcher(commitDelay: .milliseconds(3), holdFirstBatch: true, before: ["a-1", "b-1"]) { probe, take, _ in
            var iterator = probe.answers.stream.makeAsyncIterator()
            await probe.firstBatchStarted.wait()
            take("c-1")
            probe.firstBatchHeld.open()
            #expect(Set(await Self.answers(2, from: probe, iterator: &iterator)) == ["a-1", "b-1"])
            // One came during the write and two were answered: the wait ends at three. A
            // second report joins it; the batch goes when the delay runs out.
            await probe.delayStarted.wait()
            take("d-1")
            probe.delayHeld.open()
            #expect(await Self.answers(2, from: probe, iterator: &iterator) == ["c-1", "d-1"])
            #expect(probe.batches.withLock { $0 } == [2, 2])
            #expect(probe.delaysCutShort.withLock { $0 } == 0)
        }
    }

    @Test("gateways that each wait for their answer are held back by their next report, not by the delay")
    func lockStepGateways() async throws {
        try await Self.withBatcher(commitDelay: .seconds(30), holdFirstBatch: true) { probe, take, _ in
            var iterator = probe.answers.stream.makeAsyncIterator()
            // Gateway a's report is being written when gateway b's arrives.
            await Self.arrive("a-1", then: ["b-1"], probe, take, &iterator)
            // The next batch waits for one report more than came during the write; gateway a,
            // answered, sends its next, and the batch goes at once, long before the delay
            // (which the test never ends) would have run out.
            await probe.delayStarted.wait()
            take("a-2")
            #expect(await Self.answers(2, from: probe, iterator: &iterator) == ["b-1", "a-2"])
            #expect(probe.batches.withLock { $0 } == [1, 2])
            #expect(probe.delaysCutShort.withLock { $0 } == 1)
        }
    }

    @Test("a report waiting out the delay when the server shuts down is written and answered, not dropped", arguments: TestEngine.available)
    func shutdownDuringDelay(engine: TestEngine) async throws {
        try await Self.withBatcher(engine, commitDelay: .milliseconds(20), holdFirstBatch: true) { probe, take, group in
            var iterator = probe.answers.stream.makeAsyncIterator()
            await Self.secondArrivesDuringFirst(probe, take, &iterator)
            await probe.delayStarted.wait()
            // Shutdown while "second" waits out the delay: the final flush writes it.
            await group.triggerGracefulShutdown()
            #expect(await Self.answers(1, from: probe, iterator: &iterator) == ["second"])
            #expect(probe.batches.withLock { $0 } == [1, 1])
        }
    }

    @Test("a backlog past the largest batch is written in batches of 500, in the order it came, each report answered once")
    func backlogPastTheLargestBatch() async throws {
        try await Self.withBatcher(commitDelay: .zero, holdFirstBatch: true) { probe, take, _ in
            var iterator = probe.answers.stream.makeAsyncIterator()
            let backlog = (0..<1_201).map { "r-\($0)" }
            await Self.arrive("first", then: backlog, probe, take, &iterator)
            #expect(await Self.answers(backlog.count, from: probe, iterator: &iterator) == backlog)
            #expect(probe.batches.withLock { $0 } == [1, 500, 500, 201])
        }
    }

    @Test("without a commit delay, a report that arrives while a batch is written goes in the next batch at once")
    func noDelay() async throws {
        try await Self.withBatcher(commitDelay: .zero, holdFirstBatch: true) { probe, take, _ in
            var iterator = probe.answers.stream.makeAsyncIterator()
            await Self.secondArrivesDuringFirst(probe, take, &iterator)
            #expect(await Self.answers(1, from: probe, iterator: &iterator) == ["second"])
            #expect(probe.batches.withLock { $0 } == [1, 1])
            #expect(probe.delays.withLock { $0 }.isEmpty)
        }
    }
}
