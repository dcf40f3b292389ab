import Foundation
import Logging
import SimGateCore
import SimGateServer
import SimGateStore
import SimGateTestSupport
import Synchronization
import Testing

@Suite("Job scheduler", .timeLimit(.minutes(1)))
struct JobSchedulerTests {
    /// Records what a handler saw; fails the first `failures` runs.
    final class Recorder: Sendable {
        let runs = Mutex<[String]>([])
        let failuresLeft: Mutex<Int>
        init(failures: Int) { failuresLeft = Mutex(failures) }

        func handler(kind: String) -> JobHandler {
            JobHandler(kind: kind) { job in
                self.runs.withLock { $0.append(job.payload) }
                let fail = self.failuresLeft.withLock { left -> Bool in
                    defer { left = max(0, left - 1) }
                    return left > 0
                }
                if fail { throw TestFailure() }
            }
        }
    }

    struct TestFailure: Error {}

    @Test("a failing job is retried after a backoff that grows, then completes", arguments: TestEngine.available)
    func retriesWithBackoff(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let clock = ManualWallClock()
            let queue = JobQueue(database: database, ids: IdentifierGenerator(clock: clock))
            let recorder = Recorder(failures: 2)
            var settings = JobScheduler.Settings()
            settings.baseBackoff = 10
            let scheduler = JobScheduler(queue: queue, handlers: [recorder.handler(kind: "test.flaky")], clock: clock, settings: settings, logger: TestDatabase.logger)
            try await queue.enqueue(NewJob(kind: "test.flaky", payload: "p", runAt: clock.now()), now: clock.now())

            #expect(try await scheduler.runDueJobs() == 1)          // attempt 1 fails: retry in 10-11 s
            clock.advance(by: 9)
            #expect(try await scheduler.runDueJobs() == 0)
            clock.advance(by: 2.5)
            #expect(try await scheduler.runDueJobs() == 1)          // attempt 2 fails: retry in 20-22 s
            clock.advance(by: 19)
            #expect(try await scheduler.runDueJobs() == 0)
            clock.advance(by: 4)
            #expect(try await scheduler.runDueJobs() == 1)          // attempt 3 succeeds
            #expect(recorder.runs.withLock { $0 } == ["p", "p", "p"])
            let job = try #require(try await queue.list(kind: "test.flaky").first)
            #expect(job.state == .done)
            #expect(job.attempts == 3)
        }
    }

    @Test("a job left running by a crashed instance is run by the next one after its lease", arguments: TestEngine.available)
    func survivesRestart(engine: TestEngine) async throws {
        let configuration = try await TestDatabase.freshConfiguration(engine)
        let clock = ManualWallClock()
        let settings = { var settings = JobScheduler.Settings(); settings.lease = 60; return settings }()

        // First instance claims the job and "crashes": it never completes it.
        let first = try SimGateDatabase(configuration, logger: TestDatabase.logger)
        try await first.withRunning {
            try await Migrator(database: first, logger: TestDatabase.logger).migrate()
            let queue = JobQueue(database: first, ids: IdentifierGenerator(clock: clock))
            try await queue.enqueue(NewJob(kind: "test.unprovision", payload: "sim_1", runAt: clock.now()), now: clock.now())
            #expect(try await queue.claim(limit: 1, worker: "crashed", now: clock.now(), lease: 60).count == 1)
        }

        // A new process with a new scheduler.
        let second = try SimGateDatabase(configuration, logger: TestDatabase.logger)
        try await second.withRunning {
            let queue = JobQueue(database: second, ids: IdentifierGenerator(clock: clock))
            let recorder = Recorder(failures: 0)
            let scheduler = JobScheduler(queue: queue, handlers: [recorder.handler(kind: "test.unprovision")], clock: clock, settings: settings, logger: TestDatabase.logger)
            let beforeLeaseEnds = try await scheduler.runDueJobs()
            clock.advance(by: 61)
            let afterLeaseEnds = try await scheduler.runDueJobs()
            #expect(beforeLeaseEnds == 0)
            #expect(afterLeaseEnds == 1)
            #expect(recorder.runs.withLock { $0 } == ["sim_1"])
        }
    }

    @Test("a worker renews its claim while a job runs past the lease, so no other worker takes it; a dead worker's claim is taken over after one short lease", arguments: TestEngine.available)
    func heartbeat(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let clock = ManualWallClock()
            let queue = JobQueue(database: database, ids: IdentifierGenerator(clock: clock))
            var settings = JobScheduler.Settings()
            #expect(settings.lease <= 15, "what a dead instance claimed waits seconds, not minutes")
            settings.heartbeat = .milliseconds(20)
            let started = OnceSignal(), release = OnceSignal()
            let runs = Mutex<[String]>([])
            let slow = JobHandler(kind: "test.slow") { job in
                runs.withLock { $0.append("a:" + job.payload) }
                started.open()
                await release.wait()
            }
            let other = JobHandler(kind: "test.slow") { job in runs.withLock { $0.append("b:" + job.payload) } }
            let a = JobScheduler(queue: queue, handlers: [slow], clock: clock, settings: settings, logger: TestDatabase.logger)
            let b = JobScheduler(queue: queue, handlers: [other], clock: clock, settings: settings, logger: TestDatabase.logger)
            try await queue.enqueue(NewJob(kind: "test.slow", payload: "long", runAt: clock.now()), now: clock.now())

            async let ranA = a.runDueJobs()
            await started.wait()
            // Past the lease the job is still A's: its heartbeat renewed the claim from the new time.
            clock.advance(by: settings.lease - 2)
            let renewedUntil = clock.now().addingTimeInterval(settings.lease)
            var beats = a.renewedClaims.makeAsyncIterator()
            while let beat = await beats.next(), beat.renewed == 0 || beat.until < renewedUntil {}
            clock.advance(by: 5)
            #expect(try await b.runDueJobs() == 0, "a live worker's claim is not taken over")
            release.open()
            #expect(try await ranA == 1)
            #expect(runs.withLock { $0 } == ["a:long"])

            // A worker that dies (claims, then never renews) holds the job for one lease only.
            try await queue.enqueue(NewJob(kind: "test.slow", payload: "orphan", runAt: clock.now()), now: clock.now())
            #expect(try await queue.claim(limit: 1, worker: "dead", now: clock.now(), lease: settings.lease).count == 1)
            clock.advance(by: settings.lease - 1)
            #expect(try await b.runDueJobs() == 0)
            clock.advance(by: 2)
            #expect(try await b.runDueJobs() == 1)
            #expect(runs.withLock { $0 } == ["a:long", "b:orphan"])
        }
    }

    /// A Disconnect-Request to a silent gateway waits seconds for an answer. Run in line, it
    /// held up every job due meanwhile on the instance: another account's Cellhire ticket took
    /// 5.8 s instead of 5 ms, and its rule fired late.
    @Test("the background loop runs jobs that wait on the network beside the others, which do not wait for them", arguments: [TestEngine.sqlite])
    func waitingJobsRunApart(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let clock = ManualWallClock()
            let queue = JobQueue(database: database, ids: IdentifierGenerator(clock: clock))
            let started = OnceSignal(), release = OnceSignal()
            let waiting = JobHandler(kind: "test.waits") { _ in
                started.open()
                await release.wait()
            }.apart()
            let quick = JobHandler(kind: "test.quick") { _ in }
            var settings = JobScheduler.Settings()
            settings.pollInterval = .milliseconds(20)
            let scheduler = JobScheduler(queue: queue, handlers: [waiting, quick], clock: clock, settings: settings, logger: TestDatabase.logger)
            var finished = scheduler.finishedJobs.makeAsyncIterator()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await scheduler.run() }
                try await queue.enqueue(NewJob(kind: "test.waits", payload: "gateway", runAt: clock.now()), now: clock.now())
                await started.wait()
                // The waiting job is still running when the quick one, queued after it, is done.
                try await queue.enqueue(NewJob(kind: "test.quick", payload: "ticket", runAt: clock.now()), now: clock.now())
                let first = await finished.next()
                #expect(first?.kind == "test.quick")
                release.open()
                #expect(await finished.next()?.kind == "test.waits")
                group.cancelAll()
            }
            #expect(try await queue.list(kind: "test.waits").map(\.state) == [.done])
        }
    }

    @Test("the running app's scheduler picks up due jobs by itself", arguments: TestEngine.available)
    func runsInsideTheApp(engine: TestEngine) async throws {
        // The one test of the background loop itself: every other app test steps the jobs.
        try await TestHarness.run(engine, configure: { configuration in
            configuration.scheduler.runsInBackground = true
            configuration.scheduler.pollInterval = .milliseconds(20)
        }) { app in
            let queue = JobQueue(database: app.database, ids: IdentifierGenerator(clock: app.clock))
            let jobs = try await queue.list(kind: "idempotency_keys.purge")
            #expect(jobs.count == 1)
            // Move past the hour at which the purge is due; the loop finds it at its next poll,
            // and the test awaits the run it reports (the suite's time limit stops a hang).
            var finished = app.scheduler.finishedJobs.makeAsyncIterator()
            app.clock.advance(by: 3_601)
            // Other periodic jobs (the rules' idle scan) fall due in that hour too.
            var ran: [JobID] = []
            while ran.count < 10, let job = await finished.next() {
                ran.append(job.id)
                if job.id == jobs[0].id { break }
            }
            #expect(ran.last == jobs[0].id)
            let state = try await queue.find(jobs[0].id)?.state
            #expect(state == .done)
            // It scheduled its next run.
            #expect(try await queue.list(kind: "idempotency_keys.purge").count == 2)
        }
    }
}
