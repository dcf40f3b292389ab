import Foundation

extension Sim {
    /// What `command` does to this SIM: the ``SimLifecycle`` rules, plus the one that needs
    /// the owner: only a SIM that belongs to an account can be provisioned (LIVE or OFFLINE).
    /// - Throws: ``DomainError`` of kind `.conflict` when the SIM's state forbids the command.
    public func transition(_ command: SimCommand, at time: Date, cause: ChangeCause) throws(DomainError) -> SimTransition {
        let transition = try SimLifecycle.apply(command, to: state, at: time, cause: cause)
        if accountID == nil, transition.state.status.isProvisioned, !state.status.isProvisioned {
            throw DomainError(
                .conflict, code: "sim_unassigned",
                message: "The SIM belongs to no account; assign it to one before it can be activated."
            )
        }
        return transition
    }
}
