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
        // From the stored millisecond, as the job was claimed: run a fraction of a millisecond
        // before the hour, it must queue the next hour, not the same one again.
        let hour = time.epochMilliseconds / 3_600_000 + 1
        let runAt = Date(epochMilliseconds: hour * 3_600_000)
        try await queue.enqueue(try NewJob(PurgeJob(), runAt: runAt, uniqueKey: "\(PurgeJob.kind):\(Int(hour))"), now: clock.now())
    }
}
