import Foundation
import SimGateCore
import SimGateStore

/// Freezes closed months without waiting for someone to ask: an hourly job freezes the
/// previous month's statement of every account that held a SIM in it, once the month has
/// been over for the freeze delay. Months further back freeze when first asked for.
enum StatementFreezing {
    /// How often the job runs, in seconds.
    static let interval: TimeInterval = 3_600

    /// The job handler: freezes what is due, then queues the next run.
    static func handler(statements: StatementService, store: Store, clock: any WallClock) -> JobHandler {
        JobHandler(StatementFreezeJob.self) { _, job in
            let now = clock.now()
            let month = BillingMonth(containing: now).previous
            if now >= month.end.addingTimeInterval(statements.settings.freezeAfter) {
                let (accounts, frozen) = try await store.read { tx in
                    (try await tx.simPeriods.accounts(from: month.start, to: month.end), try await tx.statements.frozenAccounts(month: month))
                }
                for account in accounts where !frozen.contains(account) {
                    _ = try await statements.freeze(account, month: month, by: ChangeActor(.scheduler, id: job.id.rawValue))
                }
            }
            try await schedule(on: store.jobs, after: now)
        }
    }

    /// Queues the run for the hour after `time`; one per hour however many instances ask.
    static func schedule(on queue: JobQueue, after time: Date) async throws {
        try await queue.enqueue(try NewJob.periodic(StatementFreezeJob(), every: interval, after: time), now: time)
    }
}
