import Foundation
import SimGateCore
import SQLKit

/// Queues jobs inside a unit of work, so a job exists exactly when the change that needs it
/// is committed.
public struct JobRepository: Sendable {
    /// The connection (inside its transaction) every query here runs on.
    let db: any SQLDatabase
    /// Names the jobs it adds.
    let ids: IdentifierGenerator
    /// Where the unit of work notes that it queued jobs.
    var record: UnitOfWorkRecord? = nil

    /// Adds a job inside the caller's transaction, so it exists exactly when the change that
    /// needs it is committed. Returns `false` when a pending job with the same unique key was
    /// there already: that one does the work, brought forward to `job.runAt` if that is sooner.
    /// Jobs that are running or finished never hold a key, so work asked for after they
    /// started is always queued.
    @discardableResult
    public func enqueue(_ job: NewJob, now: Date) async throws -> Bool {
        let id: JobID = ids.make()
        let rows = try await insert([(id, job)], now: now, returning: true)
        return try rows.first?.string("id") == id.rawValue
    }

    /// Adds many jobs in one statement per 500; as ``enqueue(_:now:)`` for each, except that a
    /// unique key given twice is queued once (at the sooner time): one statement may not touch
    /// a row twice.
    public func enqueue(_ jobs: [NewJob], now: Date) async throws {
        var seen: [String: Int] = [:]
        var unique: [NewJob] = []
        for job in jobs {
            if let key = job.uniqueKey, let index = seen[key] {
                if job.runAt < unique[index].runAt { unique[index] = job }
                continue
            }
            if let key = job.uniqueKey { seen[key] = unique.count }
            unique.append(job)
        }
        for start in stride(from: 0, to: unique.count, by: 500) {
            _ = try await insert(unique[start..<min(start + 500, unique.count)].map { (ids.make(), $0) }, now: now, returning: false)
        }
    }

    /// The one INSERT of pending jobs: a pending job with the same unique key is kept instead,
    /// brought forward to the sooner time.
    private func insert(_ jobs: [(id: JobID, job: NewJob)], now: Date, returning: Bool) async throws -> [any SQLRow] {
        guard !jobs.isEmpty else { return [] }
        record?.note(.jobs)
        let values: [SQLQueryString] = jobs.map { id, job in
            """
            (\(bind: id.rawValue), \(bind: job.kind), \(bind: job.payload), \(bind: job.uniqueKey), 'pending',
             \(bind: job.runAt.stored), 0, \(bind: job.maxAttempts), \(bind: now.stored), \(bind: now.stored))
            """
        }
        return try await db.raw("""
            INSERT INTO jobs (id, kind, payload, unique_key, state, run_at, attempts, max_attempts, created_at, updated_at)
            VALUES \(values.joined(separator: ", "))
            ON CONFLICT (unique_key) WHERE state = 'pending' DO UPDATE SET
                run_at = CASE WHEN excluded.run_at < jobs.run_at THEN excluded.run_at ELSE jobs.run_at END
            \(unsafeRaw: returning ? "RETURNING id" : "")
            """).all()
    }
}
