import Foundation
import SimGateCore
import SimGateStore

/// Something another feature must do, in the same unit of work, when a SIM leaves a customer
/// (for stock or for another account); returns the events it made.
protocol SimHandoverStep: Sendable {
    /// Does this step's part for a SIM leaving `customer`, inside `tx`; returns the events made.
    func simLeft(_ update: SimUpdate, customer: AccountID, cause: ChangeCause, in tx: StoreTransaction) async throws -> [Event]
}

/// The single-SIM steps that operations, bulk actions and other features share, run inside
/// a unit of work.
extension SimService {
    /// The SIM `reference` names, locked for the rest of the unit of work unless `forUpdate`
    /// is false (a read, which must never wait for a writer's lock).
    func load(_ reference: SimReference, visibleAccountID: AccountID?, forUpdate: Bool = true, in tx: StoreTransaction) async throws -> Sim {
        let found: Sim? = switch reference {
        case .id(let id): try await tx.sims.find(id, accountID: visibleAccountID, forUpdate: forUpdate)
        case .iccid(let iccid): try await tx.sims.find(iccids: [iccid], accountID: visibleAccountID, forUpdate: forUpdate)[iccid]
        }
        guard let found else { throw DomainError.notFound("SIM") }
        return found
    }

    /// Writes what a command did to a SIM, with an event per change, and the work it starts:
    /// open data sessions are disconnected when the SIM leaves LIVE, and a customer's traces
    /// go when the SIM leaves it. Returns the new SIM.
    @discardableResult
    func commit(_ update: SimUpdate, cause: ChangeCause, in tx: StoreTransaction) async throws -> Sim {
        guard !update.isEmpty else { return update.previous }
        let now = clock.now()
        try await save(update.sim, previous: update.previous, in: tx)
        var produced: [Event] = []
        if update.formerCustomer != nil, update.previous.bundle != nil {
            // Bundle columns change only by their own statements, never by saving the SIM.
            try await tx.sims.clearBundle(update.sim.id)
        }
        if let customer = update.formerCustomer {
            for step in handover { produced += try await step.simLeft(update, customer: customer, cause: cause, in: tx) }
        }
        produced += try events.simEvents(for: update, cause: cause, at: now)
        try await tx.events.append(produced)
        return update.sim
    }

    /// Writes many SIM updates in one go, for work that falls due by the thousand (AOFU
    /// shutdowns): each SIM is saved, and the events (with `extraEvents` for each update) and
    /// the disconnect jobs of all of them are written in one statement each. Updates must not
    /// change owners (those go through ``commit(_:cause:in:)``, which runs the handover steps).
    func commitAll(
        _ updates: [(update: SimUpdate, cause: ChangeCause)], extraEvents: (SimUpdate, ChangeCause, String) throws -> [Event],
        in tx: StoreTransaction
    ) async throws {
        let now = clock.now()
        var produced: [Event] = []
        var disconnecting: [SimID] = []
        var statusOnly: [Sim] = []
        for (update, cause) in updates where !update.isEmpty {
            precondition(update.formerCustomer == nil, "commitAll does not hand SIMs over")
            if update.changesStatusOnly {
                statusOnly.append(update.sim)
            } else {
                try await tx.sims.save(update.sim, previous: update.previous)
            }
            if update.disconnectsSessions { disconnecting.append(update.sim.id) }
            let snapshot = try SimSnapshotJSON.text(of: SimResource(update.sim))
            produced += try events.simEvents(for: update, cause: cause, at: now, snapshot: snapshot)
            produced += try extraEvents(update, cause, snapshot)
        }
        try await tx.sims.saveStatuses(statusOnly)
        try await queueDisconnects(disconnecting, at: now, in: tx)
        try await tx.events.append(produced)
    }

    /// Writes a changed SIM. One that leaves LIVE, for whatever reason, also has its open data
    /// sessions disconnected: the job is queued in this same unit of work, so it happens
    /// exactly when the change commits.
    func save(_ sim: Sim, previous: Sim, in tx: StoreTransaction) async throws {
        try await tx.sims.save(sim, previous: previous)
        if sim.hasLeftLive(since: previous) { try await queueDisconnects([sim.id], at: clock.now(), in: tx) }
    }

    /// Queues a disconnect job for each of these SIMs (which have just left LIVE) that has an
    /// open session; the others need none. A session stored later, its Accounting-Start late,
    /// is disconnected when its first report finds the SIM not LIVE (`AccountingLedger`). On
    /// PostgreSQL this unit of work has already updated the SIM's row, and the ledger locks
    /// that row before it reads the SIM: a session committed first is seen here, and a batch
    /// that waited for the lock sees the SIM changed. Most SIMs that leave LIVE have no session
    /// (a device switched off, a fleet suspended at once), and their job only ever read nothing.
    private func queueDisconnects(_ simIDs: [SimID], at now: Date, in tx: StoreTransaction) async throws {
        guard !simIDs.isEmpty else { return }
        let withSessions = try await tx.sessions.simsWithOpenSessions(simIDs)
        let jobs = try simIDs.filter(withSessions.contains).map { try DisconnectJob.job(for: $0, at: now) }
        try await tx.jobs.enqueue(jobs, now: now)
    }
}
