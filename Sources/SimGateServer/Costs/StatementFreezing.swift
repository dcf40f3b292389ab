import Foundation
import Logging
import SimGateCore
import SimGateStore

/// Freezes closed months without waiting for someone to ask: an hourly job freezes the
/// statements of the two months before the current one, for every account that held a SIM
/// in them, once each has been over for the freeze delay (at most 720 hours, so a month is
/// due before it falls out of that pair). Months further back freeze when first asked for.
enum StatementFreezing {
    /// How often the job runs, in seconds.
    static let interval: TimeInterval = 3_600

    /// The job handler: queues the next run first, then freezes what is due. An account whose
    /// statement cannot be frozen (its amounts pass 64 bits) is logged and skipped, so it
    /// holds up no other account and no later run.
    static func handler(statements: StatementService, store: Store, clock: any WallClock, logger: Logger) -> JobHandler {
        JobHandler(StatementFreezeJob.self) { _, job in
            let now = clock.now()
            try await schedule(on: store.jobs, after: now)
            let current = BillingMonth(containing: now)
            for month in [current.previous.previous, current.previous] where now >= month.end.addingTimeInterval(statements.settings.freezeAfter) {
                let (accounts, frozen) = try await store.read { tx in
                    (try await tx.simPeriods.accounts(from: month.start, to: month.end), try await tx.statements.frozenAccounts(month: month))
                }
                for account in accounts where !frozen.contains(account) {
                    do {
                        _ = try await statements.freeze(account, month: month, by: ChangeActor(.scheduler, id: job.id.rawValue))
                    } catch let refused as DomainError {
                        logger.error("Could not freeze a statement", metadata: ["account": "\(account)", "month": "\(month)", "code": "\(refused.code)"])
                    }
                }
            }
        }
    }

    /// Queues the run for the hour after `time`; one per hour however many instances ask.
    static func schedule(on queue: JobQueue, after time: Date) async throws {
        try await queue.enqueue(try NewJob.periodic(StatementFreezeJob(), every: interval, after: time), now: time)
    }
}
