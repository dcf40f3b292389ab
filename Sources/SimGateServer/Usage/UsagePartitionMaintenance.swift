import Foundation
import Logging
import SimGateCore
import SimGateStore

/// Keeps PostgreSQL's monthly partitions of usage records: a daily job makes this month's and
/// the next two, and, with `usage.retention_months`, drops whole months older than that
/// (and the default partition's records of that age). Usage totals, statements, events and
/// sender ids are never touched, so figures by day and month stay and a late resend is still
/// refused. On SQLite the job does nothing but queue its next run.
enum UsagePartitionMaintenance {
    /// Months made ahead of the current one.
    static let monthsAhead = 2

    /// The job handler: does one day's upkeep, then queues the next day's run.
    static func handler(store: Store, clock: any WallClock, retentionMonths: Int?, logger: Logger) -> JobHandler {
        JobHandler(UsagePartitionJob.self) { _, _ in
            let now = clock.now()
            if store.engine == .postgres {
                try await upkeep(store: store, now: now, retentionMonths: retentionMonths, logger: logger)
            }
            try await schedule(on: store.jobs, after: now)
        }
    }

    /// Makes the partitions from `now`'s month through ``monthsAhead`` after it, and drops
    /// those past `retentionMonths` (kept: the current month and the ones before it, that many
    /// in all). Each change is its own unit of work.
    static func upkeep(store: Store, now: Date, retentionMonths: Int?, logger: Logger) async throws {
        let current = UsagePartitionRepository.Month(containing: now)
        for offset in 0...monthsAhead {
            let month = current.adding(offset)
            do {
                try await store.transaction { try await $0.usagePartitions.create(month) }
            } catch {
                // The default partition already holds records of that month (their times were
                // out of range when they came): they stay there, where they are read as well.
                // Or the table's lock was not had within a second: tomorrow's run tries again.
                logger.warning("Could not make a usage partition", metadata: ["partition": "\(month.tableName)", "error": "\(error)"])
            }
        }
        guard let retentionMonths else { return }
        let oldestKept = current.adding(1 - retentionMonths)
        for month in try await store.read({ try await $0.usagePartitions.months() }) where month < oldestKept {
            try await store.transaction { try await $0.usagePartitions.drop(month) }
            logger.info("Dropped a month of usage records past retention", metadata: ["partition": "\(month.tableName)"])
        }
        let cut = Date(epochMilliseconds: oldestKept.start)
        while try await store.transaction({ try await $0.usagePartitions.forget(endedBefore: cut) }) > 0 {}
    }

    /// Queues the run for the day after `time`; one per day however many instances ask.
    static func schedule(on queue: JobQueue, after time: Date) async throws {
        try await queue.enqueue(try NewJob.periodic(UsagePartitionJob(), every: 86_400, after: time), now: time)
    }
}
