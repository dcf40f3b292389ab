import Foundation
import SimGateCore
import SimGateStore
import SQLKit

/// The single-SIM steps that operations and bulk actions share, run inside a transaction.
extension SimOperations {
    func load(_ reference: SimReference, visibleAccountID: AccountID?, on db: any SQLDatabase) async throws -> Sim {
        let found: Sim? = switch reference {
        case .id(let id): try await sims.find(id, accountID: visibleAccountID, forUpdate: true, on: db)
        case .iccid(let iccid): try await sims.find(iccids: [iccid], accountID: visibleAccountID, forUpdate: true, on: db)[iccid]
        }
        guard let found else { throw DomainError.notFound("SIM") }
        return found
    }

    /// Writes a changed SIM. One that leaves LIVE, for whatever reason, also has its open data
    /// sessions disconnected: the job is queued in this same transaction, so it happens exactly
    /// when the change commits.
    func persist(_ sim: Sim, previous: Sim, on db: any SQLDatabase) async throws {
        try await sims.save(sim, previous: previous, on: db)
        if previous.status == .live, sim.status != .live {
            try await queue.enqueue(try RADIUSDisconnector.job(for: sim.id, at: clock.now()), now: clock.now(), on: db)
        }
    }

    func apply(_ command: SimCommand, to previous: Sim, cause: ChangeCause, on db: any SQLDatabase) async throws -> Sim {
        let now = clock.now()
        let transition = try previous.transition(command, at: now, cause: cause)
        guard !transition.changes.isEmpty else { return previous }
        var sim = previous
        sim.state = transition.state
        sim.updatedAt = now
        if sim.status != previous.status {
            sim.statusChangedAt = now
            sim.statusCause = cause
        }
        try await persist(sim, previous: previous, on: db)
        try await events.append(try eventFactory.simEvents(for: transition.changes, sim: sim, previous: previous, cause: cause, at: now), on: db)
        return sim
    }

    func assign(_ previous: Sim, to accountID: AccountID, cause: ChangeCause, on db: any SQLDatabase) async throws -> Sim {
        guard previous.accountID != accountID else { return previous }
        if previous.status == .retired {
            throw DomainError(.conflict, code: "sim_retired", message: "The SIM is retired; it cannot change any more.")
        }
        if previous.accountID != nil, previous.status.isProvisioned {
            throw DomainError(
                .conflict, code: "sim_in_use",
                message: "The SIM is \(previous.status.rawValue) for another account; unprovision it before assigning it elsewhere."
            )
        }
        let now = clock.now()
        var sim = previous
        var produced: [Event] = []
        if let formerAccount = previous.accountID {
            // Straight from one customer to another: the first one's traces go, and its feed
            // records that the SIM left.
            let (cleared, changes) = try previous.leavingCustomer(at: now, cause: cause)
            sim = cleared
            try await dropBillingBindings(of: previous, cause: cause, at: now, on: db)
            produced += try eventFactory.simEvents(for: changes, sim: sim, previous: previous, cause: cause, at: now)
            produced.append(try unassignedEvent(sim, formerAccount: formerAccount, cause: cause, at: now))
        }
        sim.accountID = accountID
        sim.updatedAt = now
        try await persist(sim, previous: previous, on: db)
        let previousAccount: JSONValue = previous.accountID.map { .string($0.rawValue) } ?? .null
        produced.append(try eventFactory.simEvent(.simAssigned, sim: sim, previousAttributes: ["account": previousAccount], cause: cause, at: now))
        try await events.append(produced, on: db)
        return sim
    }

    func unassign(_ previous: Sim, cause: ChangeCause, on db: any SQLDatabase) async throws -> Sim {
        let now = clock.now()
        let transition = try SimLifecycle.apply(.returnToStock, to: previous.state, at: now, cause: cause)
        guard previous.accountID != nil || !transition.changes.isEmpty else { return previous }
        var sim = previous
        if previous.accountID != nil {
            sim = try previous.leavingCustomer(at: now, cause: cause).sim
            try await dropBillingBindings(of: previous, cause: cause, at: now, on: db)
        }
        sim.state = transition.state
        sim.accountID = nil
        sim.updatedAt = now
        if sim.status != previous.status {
            sim.statusChangedAt = now
            sim.statusCause = cause
        }
        try await persist(sim, previous: previous, on: db)
        var produced = try eventFactory.simEvents(for: transition.changes, sim: sim, previous: previous, cause: cause, at: now)
        if let formerAccount = previous.accountID {
            produced.append(try unassignedEvent(sim, formerAccount: formerAccount, cause: cause, at: now))
        }
        try await events.append(produced, on: db)
        return sim
    }

    /// `sim.unassigned`, recorded under the former account, so its history shows the SIM left.
    private func unassignedEvent(_ sim: Sim, formerAccount: AccountID, cause: ChangeCause, at now: Date) throws -> Event {
        let unassigned = try eventFactory.simEvent(.simUnassigned, sim: sim, previousAttributes: ["account": .string(formerAccount.rawValue)], cause: cause, at: now)
        return Event(
            id: unassigned.id, type: unassigned.type, accountID: formerAccount, simID: sim.id, object: unassigned.object,
            previousAttributes: unassigned.previousAttributes, cause: cause, createdAt: now
        )
    }

    /// A customer's subscriptions do not follow its SIM to someone else: its bindings are
    /// deleted, each with a `billing_binding.deleted` event in the customer's feed.
    private func dropBillingBindings(of sim: Sim, cause: ChangeCause, at now: Date, on db: any SQLDatabase) async throws {
        let store = BillingBindingStore()
        var produced: [Event] = []
        for binding in try await store.bindings(of: sim.id, on: db) {
            guard let gateway = try await PaymentGatewayStore().find(binding.gatewayID, accountID: nil, on: db) else { continue }
            try await store.delete(binding.id, on: db)
            produced.append(try BillingBindingEvents.deleted(binding, gateway: gateway, factory: eventFactory, cause: cause, at: now))
        }
        try await events.append(produced, on: db)
    }
}
