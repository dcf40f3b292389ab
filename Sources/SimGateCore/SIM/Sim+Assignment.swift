import Foundation

extension Sim {
    /// Gives the SIM to `account` (the operator's decision). A SIM that is provisioned for
    /// another account must be unprovisioned first; a retired SIM never changes hands. Straight
    /// from one customer to another, the first one's traces go (``leavingCustomer(at:cause:)``).
    public func assigning(to account: AccountID, at time: Date, cause: ChangeCause) throws(DomainError) -> SimUpdate {
        guard accountID != account else { return SimUpdate(previous: self, sim: self, changes: []) }
        if status == .retired {
            throw DomainError.simRetired
        }
        if accountID != nil, status.isProvisioned {
            throw DomainError(
                .conflict, code: "sim_in_use",
                message: "The SIM is \(status.rawValue) for another account; unprovision it before assigning it elsewhere."
            )
        }
        var (sim, changes) = accountID == nil ? (self, []) : try leavingCustomer(at: time, cause: cause)
        if let former = accountID { changes.append(.unassigned(from: former)) }
        sim.accountID = account
        sim.updatedAt = time
        changes.append(.assigned(from: accountID, to: account))
        return SimUpdate(previous: self, sim: sim, changes: changes)
    }

    /// Takes the SIM back into the operator's stock: no account, INVENTORY, no holds. Only a
    /// SIM that is not provisioned can go back.
    public func unassigning(at time: Date, cause: ChangeCause) throws(DomainError) -> SimUpdate {
        let transition = try SimLifecycle.apply(.returnToStock, to: state, at: time, cause: cause)
        guard accountID != nil || !transition.changes.isEmpty else { return SimUpdate(previous: self, sim: self, changes: []) }
        // Back to stock lifts every hold; the customer's other traces go as well.
        var sim = accountID == nil ? self : try leavingCustomer(at: time, cause: cause).sim
        var changes = transition.changes
        sim.state = state
        sim = sim.withState(transition.state, at: time, cause: cause)
        sim.accountID = nil
        sim.updatedAt = time
        if let former = accountID { changes.append(.unassigned(from: former)) }
        return SimUpdate(previous: self, sim: sim, changes: changes)
    }
}
