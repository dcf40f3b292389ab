import Foundation
import SimGateCore
import SQLKit

/// How AOFU shutdowns went, for the benchmark that checks each ran once and on time.
public struct ShutdownOutcome: Sendable, Equatable {
    /// The SIM.
    public let simID: SimID
    /// When it was due to be unprovisioned.
    public let shutdownAt: Date
    /// Its status now.
    public let status: SimStatus
    /// When its status last changed (the shutdown, if it ran).
    public let statusChangedAt: Date
}

extension SimRepository {
    /// Every SIM on tariff `number` with a shutdown, and how it stands.
    public func shutdownOutcomes(tariff number: Int) async throws -> [ShutdownOutcome] {
        try await db.select().columns("id", "shutdown_at", "status", "status_changed_at").from("sims")
            .where("tariff_number", .equal, Int64(number)).where("shutdown_at", .isNot, SQLLiteral.null).all().map { row in
                let statusText = try row.string("status")
                guard let status = SimStatus(rawValue: statusText) else { throw StoreError.corruptRow(table: "sims", column: "status", value: statusText) }
                return ShutdownOutcome(
                    simID: SimID(trusted: try row.string("id")), shutdownAt: try row.date("shutdown_at"), status: status,
                    statusChangedAt: try row.date("status_changed_at")
                )
            }
    }

    /// How many SIMs on tariff `number` are still provisioned (LIVE or OFFLINE).
    public func provisionedCount(tariff number: Int) async throws -> Int {
        try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("sims")
            .where("tariff_number", .equal, Int64(number)).where("status", .in, [SimStatus.live.rawValue, SimStatus.offline.rawValue])
            .first()?.int("n") ?? 0
    }

    /// Writes the status columns (status, its change and cause, `updated_at`) of many SIMs in
    /// one statement per 500, and their periods; for changes that touch nothing else, as a batch of shutdowns.
    public func saveStatuses(_ sims: [Sim]) async throws {
        for start in stride(from: 0, to: sims.count, by: 500) {
            let rows: [SQLQueryString] = sims[start..<min(start + 500, sims.count)].map { sim in
                """
                (\(bind: sim.id.rawValue), \(bind: sim.status.rawValue), \(bind: sim.statusChangedAt.stored), \(bind: sim.statusCause.actor.kind.rawValue),
                 \(bind: sim.statusCause.actor.id ?? ""), \(bind: sim.statusCause.reason ?? ""), \(bind: sim.updatedAt.stored))
                """
            }
            // Empty strings stand for NULL in the list (a NULL there would have no type on
            // PostgreSQL) and are turned back here.
            try await db.raw("""
                WITH v (id, status, changed_at, actor_kind, actor_id, reason, updated_at) AS (VALUES \(rows.joined(separator: ", ")))
                UPDATE sims SET status = v.status, status_changed_at = v.changed_at, status_actor_kind = v.actor_kind,
                    status_actor_id = NULLIF(v.actor_id, ''), status_reason = NULLIF(v.reason, ''), updated_at = v.updated_at
                FROM v WHERE sims.id = v.id
                """).run()
        }
        try await periods.move(sims.map { ($0.id, $0.billingTerms, $0.updatedAt) })
    }

    /// Writes bundles for many SIMs at once (`bytes` each, nothing used): seeding only.
    public func grantBundles(_ simIDs: [SimID], bytes: UInt64) async throws {
        for start in stride(from: 0, to: simIDs.count, by: 1_000) {
            try await db.update("sims").set("bundle_bytes", to: SQLBind(Int64(bytes))).set("bundle_used_bytes", to: SQLBind(Int64(0)))
                .where("id", .in, simIDs[start..<min(start + 1_000, simIDs.count)].map(\.rawValue)).run()
        }
    }
}

extension EventRepository {
    /// How many events of `type` each SIM has.
    public func countsBySim(type: EventType) async throws -> [SimID: Int] {
        var counts: [SimID: Int] = [:]
        for row in try await db.raw("SELECT sim_id, COUNT(*) AS n FROM events WHERE type = \(bind: type.rawValue) GROUP BY sim_id").all() {
            guard let sim = try row.optionalString("sim_id") else { continue }
            counts[SimID(trusted: sim)] = try row.int("n")
        }
        return counts
    }
}
