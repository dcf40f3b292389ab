import Foundation
import SimGateCore
import SimGateStore
import SimGateTestSupport
import Testing

@Suite("Durable job queue")
struct JobQueueTests {
    @Test("a job is claimed only once due, and done once completed", arguments: TestEngine.available)
    func dueAndComplete(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let clock = ManualWallClock()
            let queue = JobQueue(database: database, ids: IdentifierGenerator(clock: clock))
            try await queue.enqueue(NewJob(kind: "test.echo", payload: #"{"n":1}"#, runAt: clock.now() + 60), now: clock.now())

            #expect(try await queue.claim(limit: 10, worker: "w1", now: clock.now(), lease: 30).isEmpty)
            clock.advance(by: 60)
            let claimed = try await queue.claim(limit: 10, worker: "w1", now: clock.now(), lease: 30)
            #expect(claimed.map(\.payload) == [#"{"n":1}"#])
            #expect(claimed.first?.attempts == 1)
            #expect(try await queue.claim(limit: 10, worker: "w2", now: clock.now(), lease: 30).isEmpty)

            try await queue.complete(claimed[0].id, worker: "w1", now: clock.now())
            #expect(try await queue.find(claimed[0].id)?.state == .done)
        }
    }

    @Test("a unique key admits one job at a time", arguments: TestEngine.available)
    func uniqueKey(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let clock = ManualWallClock()
            let queue = JobQueue(database: database, ids: IdentifierGenerator(clock: clock))
            let job = NewJob(kind: "test.once", runAt: clock.now(), uniqueKey: "sim_1:shutdown")
            let first = try await queue.enqueue(job, now: clock.now())
            let second = try await queue.enqueue(job, now: clock.now())
            let stored = try await queue.list(kind: "test.once")
            #expect(first)
            #expect(!second)
            #expect(stored.count == 1)
        }
    }

    @Test("a unique key holds only while its job waits: once claimed or done, the same key queues new work", arguments: TestEngine.available)
    func uniqueKeyOnlyWhilePending(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let clock = ManualWallClock()
            let queue = JobQueue(database: database, ids: IdentifierGenerator(clock: clock))
            let job = NewJob(kind: "test.disconnect", runAt: clock.now(), uniqueKey: "radius.disconnect:sim_1")
            #expect(try await queue.enqueue(job, now: clock.now()))
            let claimed = try await queue.claim(limit: 10, worker: "w", now: clock.now(), lease: 60)
            #expect(claimed.count == 1)
            // Asked again while the first runs: a new job, since the running one may have read
            // the sessions already.
            #expect(try await queue.enqueue(job, now: clock.now()))
            #expect(!(try await queue.enqueue(job, now: clock.now())), "but only one waits at a time")
            try await queue.complete(claimed[0].id, worker: "w", now: clock.now())
            let second = try await queue.claim(limit: 10, worker: "w", now: clock.now(), lease: 60)
            #expect(second.count == 1)
            try await queue.complete(second[0].id, worker: "w", now: clock.now())
            // Both done: the key is free again for the next suspension.
            #expect(try await queue.enqueue(job, now: clock.now()))
            #expect(try await queue.list(kind: "test.disconnect").count == 3)
        }
    }

    /// Two instances once ran a SIM's second disconnect while its first still waited for a
    /// gateway's answer, asking the gateway twice about the same session.
    @Test("a job queued again while its key's job runs waits until that one finishes or its lease runs out", arguments: TestEngine.available)
    func sameKeyRunsOneAtATime(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let clock = ManualWallClock()
            let queue = JobQueue(database: database, ids: IdentifierGenerator(clock: clock))
            func job(_ key: String) -> NewJob { NewJob(kind: "test.serial", payload: #"{"key":"\#(key)"}"#, runAt: clock.now(), uniqueKey: key) }
            #expect(try await queue.enqueue(job("radius.disconnect:sim_1"), now: clock.now()))
            let first = try #require(try await queue.claim(limit: 10, worker: "w1", now: clock.now(), lease: 30).first)
            #expect(try await queue.enqueue(job("radius.disconnect:sim_1"), now: clock.now()))
            #expect(try await queue.enqueue(job("radius.disconnect:sim_2"), now: clock.now()))

            // Another instance takes only the other SIM's job, and sees nothing else due.
            let other = try await queue.claim(limit: 10, worker: "w2", now: clock.now(), lease: 30)
            #expect(other.map(\.payload) == [#"{"key":"radius.disconnect:sim_2"}"#])
            #expect(try await queue.nextRunAt() == nil)
            #expect(try await queue.claim(limit: 10, worker: "w2", now: clock.now() + 29, lease: 30).isEmpty)
            try await queue.complete(other.map(\.id), worker: "w2", now: clock.now())

            // Once the first has finished, the waiting one runs.
            try await queue.complete(first.id, worker: "w1", now: clock.now())
            #expect(try await queue.nextRunAt() == clock.now())
            let second = try #require(try await queue.claim(limit: 10, worker: "w2", now: clock.now(), lease: 30).first)
            #expect(second.payload == #"{"key":"radius.disconnect:sim_1"}"#)
            #expect(second.id != first.id)

            // A job queued while that one runs, its worker then dying: when the lease runs out,
            // the dead worker's job is taken over alone, and the newer one waits for it again.
            #expect(try await queue.enqueue(job("radius.disconnect:sim_1"), now: clock.now()))
            #expect(try await queue.claim(limit: 10, worker: "w3", now: clock.now() + 30, lease: 30).isEmpty)
            let afterLease = try await queue.claim(limit: 10, worker: "w3", now: clock.now() + 31, lease: 30)
            #expect(afterLease.map(\.id) == [second.id])
            #expect(try await queue.claim(limit: 10, worker: "w4", now: clock.now() + 31, lease: 30).isEmpty)
            try await queue.complete(second.id, worker: "w3", now: clock.now() + 32)
            let third = try await queue.claim(limit: 10, worker: "w4", now: clock.now() + 32, lease: 30)
            #expect(third.count == 1)
            #expect(third.first?.id != second.id)
        }
    }

    @Test("a job that fails while the same work is queued again finishes instead of retrying; a later request brings the waiting one forward", arguments: TestEngine.available)
    func failingJobYieldsToTheQueuedOne(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let clock = ManualWallClock()
            let queue = JobQueue(database: database, ids: IdentifierGenerator(clock: clock))
            let key = "radius.disconnect:sim_2"
            #expect(try await queue.enqueue(NewJob(kind: "test.yield", runAt: clock.now(), uniqueKey: key), now: clock.now()))
            let running = try #require(try await queue.claim(limit: 1, worker: "w", now: clock.now(), lease: 60).first)
            #expect(try await queue.enqueue(NewJob(kind: "test.yield", runAt: clock.now() + 600, uniqueKey: key), now: clock.now()))
            try await queue.fail(running, worker: "w", error: "gateway silent", retryAt: clock.now() + 30, now: clock.now())
            let jobs = try await queue.list(kind: "test.yield")
            #expect(jobs.map(\.state) == [.done, .pending])
            // Queued once more for now: the waiting job is brought forward, not doubled.
            #expect(!(try await queue.enqueue(NewJob(kind: "test.yield", runAt: clock.now(), uniqueKey: key), now: clock.now())))
            #expect(try await queue.list(kind: "test.yield").last?.runAt == clock.now())
        }
    }

    @Test("a failed job waits for its retry time, and is dead after its last attempt", arguments: TestEngine.available)
    func retryThenDead(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let clock = ManualWallClock()
            let queue = JobQueue(database: database, ids: IdentifierGenerator(clock: clock))
            try await queue.enqueue(NewJob(kind: "test.flaky", runAt: clock.now(), maxAttempts: 2), now: clock.now())

            let first = try #require(try await queue.claim(limit: 1, worker: "w", now: clock.now(), lease: 30).first)
            try await queue.fail(first, worker: "w", error: "timeout", retryAt: clock.now() + 10, now: clock.now())
            #expect(try await queue.claim(limit: 1, worker: "w", now: clock.now() + 5, lease: 30).isEmpty)

            clock.advance(by: 10)
            let second = try #require(try await queue.claim(limit: 1, worker: "w", now: clock.now(), lease: 30).first)
            #expect(second.attempts == 2)
            try await queue.fail(second, worker: "w", error: "timeout again", retryAt: clock.now() + 10, now: clock.now())
            let stored = try #require(try await queue.find(second.id))
            #expect(stored.state == .dead)
            #expect(stored.lastError == "timeout again")
        }
    }

    @Test("a job whose worker died is claimed again when its lease runs out", arguments: TestEngine.available)
    func expiredLease(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let clock = ManualWallClock()
            let queue = JobQueue(database: database, ids: IdentifierGenerator(clock: clock))
            try await queue.enqueue(NewJob(kind: "test.crash", runAt: clock.now()), now: clock.now())
            _ = try await queue.claim(limit: 1, worker: "dead-worker", now: clock.now(), lease: 30)

            #expect(try await queue.claim(limit: 1, worker: "w2", now: clock.now() + 29, lease: 30).isEmpty)
            let reclaimed = try await queue.claim(limit: 1, worker: "w2", now: clock.now() + 31, lease: 30)
            #expect(reclaimed.count == 1)
            #expect(reclaimed.first?.attempts == 2)
            // The dead worker can no longer complete it.
            try await queue.complete(reclaimed[0].id, worker: "dead-worker", now: clock.now())
            #expect(try await queue.find(reclaimed[0].id)?.state == .running)
        }
    }

    @Test("instances claiming side by side on one database never get the same job", arguments: TestEngine.available)
    func concurrentClaims(engine: TestEngine) async throws {
        let configuration = try await TestDatabase.freshConfiguration(engine)
        let setup = try SimGateDatabase(configuration, logger: TestDatabase.logger)
        let clock = ManualWallClock()
        try await setup.withRunning {
            try await Migrator(database: setup, logger: TestDatabase.logger).migrate()
            let queue = JobQueue(database: setup, ids: IdentifierGenerator(clock: clock))
            for n in 0..<200 { try await queue.enqueue(NewJob(kind: "test.race", payload: "\(n)", runAt: clock.now()), now: clock.now()) }
        }

        // Four instances, each with its own connection pool, as four processes would have.
        let instances = try (0..<4).map { _ in try SimGateDatabase(configuration, logger: TestDatabase.logger) }
        let claimedIDs = try await withThrowingTaskGroup(of: [JobID].self) { group in
            for (index, instance) in instances.enumerated() {
                group.addTask {
                    try await instance.withRunning {
                        let queue = JobQueue(database: instance, ids: IdentifierGenerator(clock: clock))
                        var mine: [JobID] = []
                        while true {
                            let batch = try await queue.claim(limit: 7, worker: "w\(index)", now: clock.now(), lease: 60)
                            if batch.isEmpty { return mine }
                            mine += batch.map(\.id)
                        }
                    }
                }
            }
            return try await group.reduce(into: [JobID]()) { $0 += $1 }
        }
        #expect(claimedIDs.count == 200)
        #expect(Set(claimedIDs).count == 200)
    }
}
