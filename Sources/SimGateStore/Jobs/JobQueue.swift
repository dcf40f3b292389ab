import Foundation
import SimGateCore
import SQLKit

/// The jobs table: durable work that survives restarts and runs once however many instances
/// share the database.
///
/// A claim marks jobs `running` with a lease. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets
/// instances claim side by side without waiting on or taking each other's rows; on SQLite the
/// write transaction serialises claims. A worker that dies leaves its lease to expire, and the
/// job is claimed again.
///
/// Jobs that share a unique key run one after another: a job queued again while the key's
/// earlier job runs (a late session for a SIM whose disconnect is under way) waits until that
/// one has finished. If its worker died, the earlier job is taken over when its lease runs out
/// and finished first (or, failing, gives way to the newer one), so two workers never work on
/// the same thing at once.
public struct JobQueue: Sendable {
    private let database: SimGateDatabase
    private let ids: IdentifierGenerator

    /// A queue on `database`; `ids` names the jobs it adds.
    public init(database: SimGateDatabase, ids: IdentifierGenerator) {
        self.database = database
        self.ids = ids
    }

    /// Adds a job in a transaction of its own.
    @discardableResult
    public func enqueue(_ job: NewJob, now: Date) async throws -> Bool {
        try await database.sqlTransaction { try await JobRepository(db: $0, ids: ids).enqueue(job, now: now) }
    }

    /// Claims up to `limit` due jobs for `worker` until `now + lease`. Jobs whose earlier lease
    /// ran out (their worker died) are due again.
    public func claim(limit: Int, worker: String, now: Date, lease: TimeInterval) async throws -> [Job] {
        let engine = database.engine
        return try await database.sqlTransaction { db in
            // Due work, then work whose lease ran out, each an index range scan on
            // (state, run_at); an OR of the two would scan the whole table on SQLite.
            let free = Self.keyIsFree
            let due: SQLQueryString = switch engine {
            case .sqlite:
                """
                SELECT id FROM (
                    SELECT id, run_at FROM (SELECT id, run_at FROM jobs WHERE state = 'pending' AND run_at <= \(bind: now.stored) AND \(free) ORDER BY run_at LIMIT \(bind: limit))
                    UNION ALL
                    SELECT id, run_at FROM (SELECT id, run_at FROM jobs WHERE state = 'running' AND locked_until < \(bind: now.stored) ORDER BY run_at LIMIT \(bind: limit))
                ) ORDER BY run_at LIMIT \(bind: limit)
                """
            case .postgres:
                """
                SELECT id FROM jobs
                WHERE (state = 'pending' AND run_at <= \(bind: now.stored) AND \(free)) OR (state = 'running' AND locked_until < \(bind: now.stored))
                ORDER BY run_at LIMIT \(bind: limit) \(unsafeRaw: engine.skipLockedClause)
                """
            }
            let rows = try await db.raw("""
                UPDATE jobs SET state = 'running', locked_by = \(bind: worker), locked_until = \(bind: (now + lease).stored),
                       attempts = attempts + 1, updated_at = \(bind: now.stored)
                WHERE id IN (\(due))
                RETURNING *
                """).all()
            return try rows.map(Self.job).sorted { ($0.runAt, $0.id) < ($1.runAt, $1.id) }
        }
    }

    /// Extends `worker`'s claims on those of `ids` it still runs to `until`: the heartbeat that
    /// keeps a short lease from running out under a job that is still working. Returns how many
    /// claims were renewed (a claim another worker took over is not).
    @discardableResult
    public func renew(_ ids: [JobID], worker: String, until: Date) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        return try await database.sqlTransaction { db in
            try await db.raw("""
                UPDATE jobs SET locked_until = \(bind: until.stored)
                WHERE id IN (\(ids.map { "\(bind: $0.rawValue)" as SQLQueryString }.joined(separator: ", ")))
                  AND state = 'running' AND locked_by = \(bind: worker)
                RETURNING id
                """).all().count
        }
    }

    /// When the next pending job falls due; `nil` when none is pending. A job waiting for its
    /// key's running job is left out: it is free when that one finishes, which the next poll
    /// (or the doorbell) finds, and counting it would wake the scheduler to claim nothing.
    public func nextRunAt() async throws -> Date? {
        try await database.sqlRead { db in
            // In run_at order from the (state, run_at) index, stopping at the first free job;
            // MIN() over the filter would read every pending row.
            try await db.raw("""
                SELECT run_at FROM jobs WHERE state = 'pending' AND \(Self.keyIsFree) ORDER BY run_at LIMIT 1
                """).first()?.date("run_at")
        }
    }

    /// The condition that no job with a pending job's unique key is running. A running job
    /// whose lease ran out still counts: the claim that takes it over must not also take the
    /// newer one into the same batch or onto another instance.
    private static let keyIsFree: SQLQueryString = """
        (unique_key IS NULL OR NOT EXISTS (
            SELECT 1 FROM jobs AS earlier WHERE earlier.state = 'running' AND earlier.unique_key = jobs.unique_key
        ))
        """

    /// Marks a claimed job finished.
    public func complete(_ id: JobID, worker: String, now: Date) async throws {
        try await database.sqlTransaction { db in
            try await db.raw("""
                UPDATE jobs SET state = 'done', locked_by = NULL, locked_until = NULL, updated_at = \(bind: now.stored)
                WHERE id = \(bind: id.rawValue) AND locked_by = \(bind: worker)
                """).run()
        }
    }

    /// Marks claimed jobs finished, in one statement.
    public func complete(_ ids: [JobID], worker: String, now: Date) async throws {
        guard !ids.isEmpty else { return }
        try await database.sqlTransaction { db in
            try await db.update("jobs").set("state", to: SQLBind("done")).set("locked_by", to: SQLLiteral.null)
                .set("locked_until", to: SQLLiteral.null).set("updated_at", to: SQLBind(now.stored))
                .where("id", .in, ids.map(\.rawValue)).where("locked_by", .equal, worker).run()
        }
    }

    /// Records a failed attempt: the job runs again at `retryAt`, or is dead when it has had
    /// all its attempts. A job whose unique key was queued again while it ran is finished
    /// instead of retried: the newer pending job does the same work.
    public func fail(_ job: Job, worker: String, error: String, retryAt: Date, now: Date) async throws {
        let nextState: Job.State = job.attempts >= job.maxAttempts ? .dead : .pending
        try await database.sqlTransaction { db in
            try await db.raw("""
                UPDATE jobs SET state = CASE
                           WHEN \(bind: nextState.rawValue) = 'pending' AND unique_key IS NOT NULL AND EXISTS (
                               SELECT 1 FROM jobs AS newer WHERE newer.unique_key = jobs.unique_key AND newer.state = 'pending'
                           ) THEN 'done'
                           ELSE \(bind: nextState.rawValue) END,
                       run_at = \(bind: retryAt.stored), locked_by = NULL,
                       locked_until = NULL, last_error = \(bind: String(error.prefix(2_000))), updated_at = \(bind: now.stored)
                WHERE id = \(bind: job.id.rawValue) AND locked_by = \(bind: worker)
                """).run()
        }
    }

    /// The job with this id, if there is one.
    public func find(_ id: JobID) async throws -> Job? {
        try await database.sqlRead { db in
            try await db.select().column("*").from("jobs").where("id", .equal, id.rawValue).first().map(Self.job)
        }
    }

    /// Jobs of one kind, oldest first (for tests and the command line).
    public func list(kind: String) async throws -> [Job] {
        try await database.sqlRead { db in
            try await db.select().column("*").from("jobs").where("kind", .equal, kind).orderBy("id").all().map(Self.job)
        }
    }

    /// Reads a `jobs` row; an unknown state is a corrupt row.
    static func job(_ row: any SQLRow) throws -> Job {
        let stateText = try row.string("state")
        guard let state = Job.State(rawValue: stateText) else { throw StoreError.corruptRow(table: "jobs", column: "state", value: stateText) }
        return Job(
            id: JobID(trusted: try row.string("id")), kind: try row.string("kind"), payload: try row.string("payload"),
            state: state, runAt: try row.date("run_at"), attempts: try row.int("attempts"),
            maxAttempts: try row.int("max_attempts"), lastError: try row.optionalString("last_error")
        )
    }
}
