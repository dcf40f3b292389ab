import Foundation
import SimGateCore
import SimGateStore

/// Forgets idempotency keys after 24 hours, as a job that schedules its own next run each hour.
enum IdempotencyPurge {
    /// How long a key is remembered, in seconds.
    static let retention: TimeInterval = 24 * 3600

    /// The job handler: forgets expired keys, then queues the next hourly run.
    static func handler(store: IdempotencyStore, queue: JobQueue, clock: any WallClock) -> JobHandler {
        JobHandler(PurgeJob.self) { _, _ in
            let now = clock.now()
            try await store.purge(createdBefore: now - retention)
            try await schedule(on: queue, after: now, clock: clock)
        }
    }

    /// Enqueues the run for the hour after `time`; one per hour however many instances ask.
    static func schedule(on queue: JobQueue, after time: Date, clock: any WallClock) async throws {
        try await queue.enqueue(try NewJob.periodic(PurgeJob(), every: 3_600, after: time), now: clock.now())
    }
}
