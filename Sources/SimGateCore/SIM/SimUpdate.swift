import Foundation

/// A SIM after a command: the whole new SIM and what changed, in order. Each change becomes
/// an event; an empty `changes` means there was nothing to do.
public struct SimUpdate: Equatable, Sendable {
    /// The SIM before the command.
    public let previous: Sim
    /// The SIM after it, with its status bookkeeping (`statusChangedAt`, `statusCause`) and
    /// `updatedAt` brought up to date.
    public let sim: Sim
    /// Lifecycle and ownership changes, in the order they happened.
    public let changes: [SimChange]

    /// Whether anything changed.
    public var isEmpty: Bool { changes.isEmpty && sim == previous }

    /// The SIM left LIVE: its open data sessions must be disconnected from the network.
    public var disconnectsSessions: Bool { sim.hasLeftLive(since: previous) }

    /// Whether only the status (with when and why it changed) and `updatedAt` differ: such
    /// updates can be written many at a time.
    public var changesStatusOnly: Bool {
        var same = sim
        same.state = SimState(status: previous.status, holds: previous.state.holds)
        same.statusChangedAt = previous.statusChangedAt
        same.statusCause = previous.statusCause
        same.updatedAt = previous.updatedAt
        return same == previous && sim.state.holds == previous.state.holds
    }

    /// The customer the SIM left, if it changed hands: that customer's subscriptions do not
    /// follow the SIM.
    public var formerCustomer: AccountID? {
        previous.accountID != nil && previous.accountID != sim.accountID ? previous.accountID : nil
    }

    /// Pairs the SIM before and after a command with what changed; made only by Core's commands.
    init(previous: Sim, sim: Sim, changes: [SimChange]) {
        self.previous = previous
        self.sim = sim
        self.changes = changes
    }

    /// This update followed by `next`, applied to the SIM as this one left it: one update
    /// from the first SIM to the last, with every change in order.
    public func then(_ next: (Sim) throws(DomainError) -> SimUpdate) throws(DomainError) -> SimUpdate {
        let following = try next(sim)
        return SimUpdate(previous: previous, sim: following.sim, changes: changes + following.changes)
    }

}

extension Sim {
    /// Whether this SIM, once `previous`, has left LIVE: its open data sessions must end.
    public func hasLeftLive(since previous: Sim) -> Bool {
        previous.status == .live && status != .live
    }

    /// What `command` does to this SIM: the ``SimLifecycle`` rules, plus the one that needs
    /// the owner: only a SIM that belongs to an account can be provisioned (LIVE or OFFLINE).
    /// - Throws: ``DomainError`` of kind `.conflict` when the SIM's state forbids the command.
    public func applying(_ command: SimCommand, at time: Date, cause: ChangeCause) throws(DomainError) -> SimUpdate {
        let transition = try SimLifecycle.apply(command, to: state, at: time, cause: cause)
        if let shutdownAt, shutdownAt.epochMilliseconds <= time.epochMilliseconds, transition.state.status.isProvisioned, !state.status.isProvisioned {
            throw DomainError(
                .conflict, code: "aofu_expired",
                message: "The SIM's AOFU period ended at its shutdown; provision it again (a new threshold and bundle) instead."
            )
        }
        if accountID == nil, transition.state.status.isProvisioned, !state.status.isProvisioned {
            throw DomainError(
                .conflict, code: "sim_unassigned",
                message: "The SIM belongs to no account; assign it to one before it can be activated."
            )
        }
        return SimUpdate(previous: self, sim: withState(transition.state, at: time, cause: cause), changes: transition.changes)
    }

    /// The SIM in `state`, stamped: a new status records when and why it changed.
    func withState(_ newState: SimState, at time: Date, cause: ChangeCause) -> Sim {
        guard newState != state else { return self }
        var sim = self
        sim.state = newState
        sim.updatedAt = time
        if newState.status != status {
            sim.statusChangedAt = time
            sim.statusCause = cause
        }
        return sim
    }
}
