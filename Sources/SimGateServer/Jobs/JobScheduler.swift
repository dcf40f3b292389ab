import Foundation
import Logging
import ServiceLifecycle
import SimGateCore
import SimGateStore
import Synchronization

/// The Service that runs due jobs: claims a batch, runs each through its handler, and
/// records success or a retry with exponential backoff. Several instances may run against
/// one PostgreSQL; the queue's claim makes each job run on one of them at a time.
public final class JobScheduler: Service, Sendable {
    /// How the scheduler paces itself.
    public struct Settings: Sendable {
        /// Wait between polls when nothing was due.
        public var pollInterval: Duration = .seconds(1)
        /// Jobs claimed per poll.
        public var batchSize = 250
        /// How long a claim lasts before another worker may take the job over, in seconds. Short,
        /// so that what a dead instance claimed is taken over within seconds: a live worker
        /// renews its claims every ``heartbeat`` while it runs them.
        public var lease: TimeInterval = 5
        /// How often a worker renews the claims it is running: three times a lease, so a
        /// renewal held up by a busy machine for a few seconds still lands in time.
        public var heartbeat: Duration = .milliseconds(1_500)
        /// First retry delay, doubled on each failed attempt, in seconds.
        public var baseBackoff: TimeInterval = 10
        /// Longest retry delay, in seconds.
        public var maximumBackoff: TimeInterval = 6 * 3600
        /// Whether the scheduler runs as a service of the app, polling for due jobs. Tests that
        /// step time turn it off and run due jobs themselves (``JobScheduler/runDueJobs()``).
        public var runsInBackground = true
        /// Most batches of jobs that wait on the network (``JobHandler/runsApart``) the
        /// background loop runs beside its own at once; past that it runs them itself.
        public var apartBatches = 4

        /// The default pacing above.
        public init() {}
    }

    private let queue: JobQueue
    private let handlers: [String: JobHandler]
    private let clock: any WallClock
    private let settings: Settings
    private let logger: Logger
    private let startup: StartupSignal?
    private let doorbell: Doorbell
    /// Batches running apart from the loop now.
    private let apartRunning = Mutex(0)
    /// Identifies this worker in the `locked_by` column.
    public let workerID: String
    /// Each job as its attempt ends (done, or failed and rescheduled), for whoever wants to
    /// await what the background loop did; the newest 100 wait for a reader that is behind.
    public let finishedJobs: AsyncStream<Job>
    private let finishedContinuation: AsyncStream<Job>.Continuation
    /// Each heartbeat: how many claims it renewed, and until when (the newest 10 wait for a
    /// reader that is behind).
    public let renewedClaims: AsyncStream<(renewed: Int, until: Date)>
    private let renewedContinuation: AsyncStream<(renewed: Int, until: Date)>.Continuation

    /// - Parameter startup: when given, the scheduler claims nothing until it opens (migrations done).
    /// - Parameter doorbell: rung by whoever queues work in this process, to skip the poll wait.
    public init(
        queue: JobQueue, handlers: [JobHandler], clock: any WallClock, settings: Settings = Settings(), logger: Logger,
        startup: StartupSignal? = nil, doorbell: Doorbell = Doorbell()
    ) {
        self.startup = startup
        self.doorbell = doorbell
        self.queue = queue
        self.handlers = Dictionary(handlers.map { ($0.kind, $0) }, uniquingKeysWith: { _, last in last })
        self.clock = clock
        self.settings = settings
        self.logger = logger
        (finishedJobs, finishedContinuation) = AsyncStream.makeStream(of: Job.self, bufferingPolicy: .bufferingNewest(100))
        (renewedClaims, renewedContinuation) = AsyncStream.makeStream(of: (renewed: Int, until: Date).self, bufferingPolicy: .bufferingNewest(10))
        workerID = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"
    }

    /// The service loop: runs due jobs until shutdown, once start-up is done. When none
    /// were due, it waits for the doorbell or the poll interval.
    public func run() async throws {
        if let startup {
            // Shutdown during start-up must not hang here waiting for a signal that never comes.
            _ = await cancelWhenGracefulShutdown { await startup.wait() }
        }
        // Jobs that wait on the network run in this group, beside the loop: a Disconnect-Request
        // to a silent gateway (three sends, seconds apart) held up every job due meanwhile on
        // the instance, AOFU shutdowns and Cellhire tickets of every account included. The group
        // ends when they have (each is bounded by its own time-outs).
        await withDiscardingTaskGroup { apart in
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let ran: Int
                do {
                    ran = try await runDueJobs { jobs, kind in
                        let started = apartRunning.withLock { running in
                            guard running < settings.apartBatches else { return false }
                            running += 1
                            return true
                        }
                        guard started else { return false }
                        apart.addTask {
                            await self.withHeartbeat(for: jobs) { await self.executeBatch(jobs, kind: kind) }
                            self.apartRunning.withLock { $0 -= 1 }
                        }
                        return true
                    }
                } catch {
                    // Stopping (the group is shutting down or cancelled) is no failure to report.
                    if Task.isCancelled || Task.isShuttingDownGracefully { break }
                    logger.error("Could not claim jobs", metadata: ["error": "\(StoreError.describing(error))"])
                    ran = 0
                }
                if ran == 0 {
                    // Sleep until the next job falls due (AOFU shutdowns are due to the second),
                    // a request rings, or the poll interval passes, whichever is first.
                    let wait = await untilNextJob()
                    _ = await cancelWhenGracefulShutdown { await self.doorbell.wait(upTo: wait) }
                }
            }
        }
    }

    /// Claims and runs one batch of due jobs, all of them before it returns; returns how many
    /// ran.
    @discardableResult
    public func runDueJobs() async throws -> Int {
        try await runDueJobs { _, _ in false }
    }

    /// Claims one batch of due jobs and runs it; `startApart` is offered the jobs of each kind
    /// whose handler runs apart, and returns whether it took them to run (else they run here).
    private func runDueJobs(startApart: ([Job], String) -> Bool) async throws -> Int {
        let claimed = try await queue.claim(limit: settings.batchSize, worker: workerID, now: clock.now(), lease: settings.lease)
        guard !claimed.isEmpty else { return 0 }
        var jobs = claimed
        let apartKinds = Set(claimed.lazy.map(\.kind).filter { self.handlers[$0]?.runsApart == true })
        for kind in apartKinds.sorted() {
            let ofKind = jobs.filter { $0.kind == kind }
            if startApart(ofKind, kind) { jobs.removeAll { $0.kind == kind } }
        }
        guard !jobs.isEmpty else { return claimed.count }
        await withHeartbeat(for: jobs) {
            var batched: [String: [Job]] = [:]
            for job in jobs {
                if jobs.count > 1, handlers[job.kind]?.runBatch != nil {
                    batched[job.kind, default: []].append(job)
                } else {
                    await execute(job)
                }
            }
            for (kind, group) in batched.sorted(by: { $0.key < $1.key }) { await executeBatch(group, kind: kind) }
        }
        return claimed.count
    }

    /// Runs `body` while renewing the claims on `jobs` every heartbeat, so that a batch that
    /// takes longer than a lease keeps it, and a worker that dies lets go within one lease.
    /// (Claims already finished are not renewed: the update skips jobs no longer running.)
    private func withHeartbeat(for jobs: [Job], _ body: () async -> Void) async {
        let (queue, worker, clock, settings, logger, renewed) = (queue, workerID, clock, settings, logger, renewedContinuation)
        let ids = jobs.map(\.id)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    do {
                        try await Task.sleep(for: settings.heartbeat)
                        let until = clock.now().addingTimeInterval(settings.lease)
                        renewed.yield((try await queue.renew(ids, worker: worker, until: until), until))
                    } catch is CancellationError {
                        return
                    } catch {
                        logger.warning("Could not renew job claims", metadata: ["jobs": "\(ids.count)", "error": "\(StoreError.describing(error))"])
                    }
                }
            }
            await body()
            group.cancelAll()
        }
    }

    /// How long until the next pending job is due, at most the poll interval.
    private func untilNextJob() async -> Duration {
        guard let next = try? await queue.nextRunAt() else { return settings.pollInterval }
        // At least 10 ms: a due job another instance is claiming right now is not ours to spin on.
        let milliseconds = max(10, Int64((next.timeIntervalSince(clock.now()) * 1_000).rounded(.up)))
        return min(settings.pollInterval, .milliseconds(milliseconds))
    }

    /// Runs jobs of one kind together; if that fails, runs each on its own.
    private func executeBatch(_ jobs: [Job], kind: String) async {
        guard jobs.count > 1, let runBatch = handlers[kind]?.runBatch else {
            for job in jobs { await execute(job) }
            return
        }
        do {
            try await runBatch(jobs)
            try await queue.complete(jobs.map(\.id), worker: workerID, now: clock.now())
            for job in jobs { finishedContinuation.yield(job) }
        } catch {
            logger.warning("Job batch failed; running its jobs one by one", metadata: ["kind": "\(kind)", "jobs": "\(jobs.count)", "error": "\(StoreError.describing(error))"])
            for job in jobs { await execute(job) }
        }
    }

    private func execute(_ job: Job) async {
        defer { finishedContinuation.yield(job) }
        do {
            guard let handler = handlers[job.kind] else { throw UnknownJobKind(kind: job.kind) }
            try await handler.run(job)
            try await queue.complete(job.id, worker: workerID, now: clock.now())
        } catch {
            let delay = min(settings.maximumBackoff, settings.baseBackoff * pow(2, Double(max(0, job.attempts - 1))))
            // Up to 10% jitter, so that jobs failing together do not retry together.
            let retryAt = clock.now() + delay * Double.random(in: 1.0...1.1)
            logger.warning("Job failed", metadata: ["job": "\(job.id)", "kind": "\(job.kind)", "attempt": "\(job.attempts)", "error": "\(StoreError.describing(error))"])
            try? await queue.fail(job, worker: workerID, error: StoreError.describing(error), retryAt: retryAt, now: clock.now())
        }
    }
}

/// A job whose kind no handler runs (for example, written by a newer version).
struct UnknownJobKind: Error, CustomStringConvertible {
    /// The kind named in the job's row.
    let kind: String
    var description: String { "No handler for job kind '\(kind)'" }
}
