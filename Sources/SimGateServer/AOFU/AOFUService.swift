import Foundation
import SimGateCore
import SimGateStore

/// Activate On First Use: putting SIMs on tariffs with a shutdown threshold and a data bundle,
/// topping bundles up, and unprovisioning each SIM once its shutdown falls due. Every step runs
/// inside the caller's unit of work, so the API, the Cellhire surface and usage share them.
struct AOFUService: Sendable {
    /// Writes SIMs and their events; its store, clock and ids serve here too.
    let sims: SimService

    private var clock: any WallClock { sims.clock }

    /// Puts `sim` on `tariff` and provisions it; an AOFU tariff also sets the threshold and a
    /// fresh bundle of `bundleBytes`. Returns the SIM as it is afterwards.
    func provision(
        _ sim: Sim, on tariff: Tariff, threshold: ShutdownThreshold?, bundleBytes: UInt64?, cause: ChangeCause, in tx: StoreTransaction
    ) async throws -> Sim {
        let now = clock.now()
        let update = try sim.provisioning(on: tariff, threshold: threshold, hasBundle: bundleBytes != nil, at: now, cause: cause)
        var provisioned = try await sims.commit(update, cause: cause, in: tx)
        if let bundleBytes {
            try await tx.sims.grantBundle(bundleChange(.granted, bytes: bundleBytes, sim: provisioned, cause: cause, at: now))
            provisioned.bundle = DataBundle(size: bundleBytes, used: 0)
            provisioned.updatedAt = now
            // `bundle_used` fires once per bundle: a new one of the last one's size is another.
            try await tx.rules.forgetWindows(sim: sim.id, prefix: "bundle:")
        } else if sim.bundle != nil {
            try await tx.sims.clearBundle(sim.id)
            provisioned.bundle = nil
        }
        var previous: [String: JSONValue] = ["tariff_number": sim.tariffNumber.map { .integer(Int64($0)) } ?? .null]
        // A provisioning starts the SIM's AOFU life afresh: what it resets is told too.
        previous.merge(try Self.changedLifeAttributes(from: sim, to: provisioned)) { first, _ in first }
        try await tx.events.append([try sims.events.simEvent(.simTariffSet, sim: provisioned, previousAttributes: previous, cause: cause, at: now)])
        return provisioned
    }

    /// The AOFU attributes (threshold, first use, shutdown, bundle) that differ between
    /// `before` and `after`, as `before` had them and the API shows them.
    private static func changedLifeAttributes(from before: Sim, to after: Sim) throws -> [String: JSONValue] {
        func attributes(of sim: Sim) throws -> [String: JSONValue] {
            [
                "shutdown_threshold_hours": sim.shutdownThreshold.map { .integer(Int64($0.hours)) } ?? .null,
                "first_use_at": try JSONValue(encoding: sim.firstUseAt),
                "shutdown_at": try JSONValue(encoding: sim.shutdownAt),
                "bundle": try JSONValue(encoding: sim.bundle.map(BundleResource.init)),
            ]
        }
        let now = try attributes(of: after)
        return try attributes(of: before).filter { now[$0.key] != $0.value }
    }

    /// Sets the SIM's shutdown threshold. After the first use the shutdown moves to first use
    /// plus the new threshold (at once if that is already past); before it, only the threshold
    /// is kept.
    func configureThreshold(_ sim: Sim, _ threshold: ShutdownThreshold, cause: ChangeCause, in tx: StoreTransaction) async throws -> Sim {
        let now = clock.now()
        let changed = try await sims.commit(try sim.withShutdownThreshold(threshold, at: now), cause: cause, in: tx)
        // The change itself, with its cause, whether or not it moves a shutdown: before the
        // first use nothing else recorded it.
        if changed.shutdownThreshold != sim.shutdownThreshold {
            let previous = try Self.changedLifeAttributes(from: sim, to: changed)
            try await tx.events.append([try sims.events.simEvent(.simUpdated, sim: changed, previousAttributes: previous, cause: cause, at: now)])
        }
        if changed.shutdownAt != sim.shutdownAt { try await scheduleShutdown(of: changed, cause: cause, in: tx) }
        return changed
    }

    /// Adds `bytes` to the SIM's bundle, atomically, and lifts the `bundle` hold if the bundle
    /// has room again. Returns the SIM with its bundle after the top-up.
    /// A SIM past its life (unprovisioned or retired) takes none: its bundle is replaced at its
    /// next provisioning, so a top-up bought now would be lost with it.
    func topUp(_ sim: Sim, bytes: UInt64, cause: ChangeCause, in tx: StoreTransaction) async throws -> Sim {
        if sim.status == .retired {
            throw DomainError.simRetired
        }
        if sim.status == .unprovisioned {
            throw DomainError(
                .conflict, code: "sim_unprovisioned",
                message: "The SIM is unprovisioned; provisioning it again grants a new bundle, which would replace this top-up."
            )
        }
        // Past its shutdown, whose job has not run yet: the top-up would go with the bundle
        // seconds later.
        // To the millisecond, as the shutdown job compares.
        if let shutdownAt = sim.shutdownAt, shutdownAt.epochMilliseconds <= clock.now().epochMilliseconds, sim.status.isProvisioned {
            throw DomainError(.conflict, code: "aofu_expired", message: "The SIM is past its shutdown; provision it again instead of topping it up.")
        }
        guard sim.bundle != nil else {
            throw DomainError(.conflict, code: "no_bundle", message: "The SIM has no data bundle to top up; provision it on an AOFU tariff first.")
        }
        let now = clock.now()
        guard let bundle = try await tx.sims.topUpBundle(bundleChange(.toppedUp, bytes: bytes, sim: sim, cause: cause, at: now)) else {
            throw DomainError(.invalid, code: "bundle_too_large", message: "The bundle would pass 9223372036854775807 bytes.", param: "amountMb")
        }
        var toppedUp = sim
        toppedUp.bundle = bundle
        toppedUp.updatedAt = now
        if !bundle.isExhausted {
            toppedUp = try await sims.commit(try toppedUp.applying(.liftHold(.bundle), at: now, cause: cause), cause: cause, in: tx)
        }
        toppedUp.bundle = bundle
        try await tx.events.append([try sims.events.simEvent(.simBundleToppedUp, sim: toppedUp, previousAttributes: [
            "bundle": .object(["size_bytes": .integer(Int64(sim.bundle?.size ?? 0))]),
        ], cause: cause, at: now)])
        return toppedUp
    }

    /// Queues the SIM's shutdown (from its first use and threshold) and records it.
    func scheduleShutdown(of sim: Sim, cause: ChangeCause, in tx: StoreTransaction) async throws {
        guard let shutdownAt = sim.shutdownAt else { return }
        let now = clock.now()
        try await tx.jobs.enqueue(try AOFUShutdownJob.job(for: sim.id, shutdownAt: shutdownAt, now: now), now: now)
        try await tx.events.append([try sims.events.simEvent(.simShutdownScheduled, sim: sim, previousAttributes: nil, cause: cause, at: now)])
    }

    /// Adds used bytes to the bundles of these SIMs and holds each SIM whose bundle is now used
    /// up (its open sessions are then disconnected as it leaves LIVE).
    func recordBundleUse(_ bytes: [SimID: UInt64], cause: (SimID) -> ChangeCause, in tx: StoreTransaction) async throws {
        let bundles = try await tx.sims.addBundleUse(bytes)
        let exhausted = bundles.filter(\.value.isExhausted).map(\.key)
        guard !exhausted.isEmpty else { return }
        for (id, sim) in try await tx.sims.find(ids: exhausted, accountID: nil, forUpdate: true).sorted(by: { $0.key < $1.key })
        where sim.state.holds[.bundle] == nil && sim.status.isProvisioned {
            try await sims.commit(try sim.applying(.placeHold(.bundle), at: clock.now(), cause: cause(id)), cause: cause(id), in: tx)
        }
    }

    /// Unprovisions the SIM if its shutdown is due (and is the one `due` names, for a job) and
    /// it is still provisioned; a job queued for an older shutdown, or one that runs again,
    /// changes nothing.
    func shutDownIfDue(_ simID: SimID, due: Int64?, cause: ChangeCause, in tx: StoreTransaction) async throws {
        try await shutDownIfDue([(simID, due, cause)], in: tx)
    }

    /// ``shutDownIfDue(_:cause:in:)`` for many SIMs at once: two reads for all the SIMs and
    /// one for which of them have open sessions, an update per SIM, and one write each for all their
    /// events and disconnect jobs.
    func shutDownIfDue(_ due: [(simID: SimID, due: Int64?, cause: ChangeCause)], in tx: StoreTransaction) async throws {
        let now = clock.now()
        let found = try await tx.sims.find(ids: due.map(\.simID), accountID: nil, forUpdate: true)
        var updates: [(update: SimUpdate, cause: ChangeCause)] = []
        var seen: Set<SimID> = []
        for (simID, jobDue, cause) in due where !seen.contains(simID) {
            // Compared to the millisecond, as times are stored and as the job was claimed: a
            // job claimed a fraction of a millisecond before its shutdown is due, not early. A
            // job queued for another shutdown than the SIM's current one does nothing: the
            // SIM's own job is queued for that, and may be in this same batch, after it (jobs
            // are claimed by due time). The SIM counts as seen only once a job shuts it down:
            // marked on its older job, its current one was skipped and it stayed LIVE for good.
            guard let sim = found[simID], let shutdownAt = sim.shutdownAt, shutdownAt.epochMilliseconds <= now.epochMilliseconds,
                  jobDue.map({ $0 == shutdownAt.epochMilliseconds }) ?? true, sim.status.isProvisioned
            else { continue }
            seen.insert(simID)
            updates.append((try sim.applying(.unprovision, at: now, cause: cause), cause))
        }
        try await sims.commitAll(updates, extraEvents: { update, cause, snapshot in
            [try sims.events.simEvent(.simUnprovisioned, sim: update.sim, snapshot: snapshot, previousAttributes: [
                "status": .string(update.previous.status.rawValue),
            ], cause: cause, at: now)]
        }, in: tx)
    }

    /// The job that unprovisions an AOFU SIM when its shutdown falls due. Shutdowns fall due by
    /// the thousand at once, so the scheduler runs them in batches, one unit of work each.
    var shutdownHandler: JobHandler {
        JobHandler(AOFUShutdownJob.self, run: { parameters, job in
            try await sims.store.transaction { tx in try await shutDownIfDue(parameters.sim, due: parameters.due, cause: Self.shutdownCause(job), in: tx) }
        }, runBatch: { jobs in
            try await sims.store.transaction { tx in
                try await shutDownIfDue(jobs.map { ($0.0.sim, $0.0.due, Self.shutdownCause($0.1)) }, in: tx)
            }
        })
    }

    private static func shutdownCause(_ job: Job) -> ChangeCause {
        ChangeCause(actor: ChangeActor(.scheduler, id: job.id.rawValue), reason: "AOFU shutdown: the threshold after first use has passed")
    }

    private func bundleChange(_ kind: BundleChange.Kind, bytes: UInt64, sim: Sim, cause: ChangeCause, at time: Date) -> BundleChange {
        BundleChange(id: sims.ids.nextBody(), simID: sim.id, accountID: sim.accountID, kind: kind, bytes: bytes, cause: cause, at: time)
    }
}
