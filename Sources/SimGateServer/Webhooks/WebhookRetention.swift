import Foundation
import SimGateCore
import SimGateStore

/// Keeps the delivery log to 30 days: a daily job forgets deliveries that ended (succeeded or
/// failed) before then, with their attempts, 10,000 at a time. Pending deliveries stay.
enum WebhookRetention {
    /// How long an ended delivery is kept, in seconds.
    static let retention: TimeInterval = 30 * 86_400
    /// Most deliveries one unit of work forgets, so that it stays short.
    static let batch = 10_000

    /// The job handler: forgets what is past retention, then queues the next day's run.
    static func handler(store: Store, clock: any WallClock) -> JobHandler {
        JobHandler(WebhookRetentionJob.self) { _, _ in
            let now = clock.now()
            while try await store.transaction({ tx in try await tx.webhooks.purge(endedBefore: now - retention, limit: batch) }) == batch {}
            try await schedule(on: store.jobs, after: now)
        }
    }

    /// Queues the run for the day after `time`; one per day however many instances ask.
    static func schedule(on queue: JobQueue, after time: Date) async throws {
        try await queue.enqueue(try NewJob.periodic(WebhookRetentionJob(), every: 86_400, after: time), now: time)
    }
}
