import Foundation

/// The status machine and hold rules of a SIM, as pure functions.
///
/// The rules (shared/DESIGN.md): a provisioned SIM is LIVE exactly when it has no hold; each
/// cause lifts only its own hold; activating over holds of other causes is refused unless
/// forced; RETIRED is terminal. A command that has nothing to do returns no changes rather
/// than failing, so that retries and bulk actions are safe to repeat.
public enum SimLifecycle {
    /// Applies `command` to `state` at `time` on behalf of `cause`.
    /// - Throws: ``DomainError`` of kind `.conflict` when the state forbids the command.
    public static func apply(
        _ command: SimCommand, to state: SimState, at time: Date, cause: ChangeCause
    ) throws(DomainError) -> SimTransition {
        var next = state
        var changes: [SimChange] = []

        func lift(_ holdCause: HoldCause) {
            if let hold = next.holds.removeValue(forKey: holdCause) { changes.append(.holdLifted(hold)) }
        }
        func place(_ holdCause: HoldCause) {
            guard next.holds[holdCause] == nil else { return }
            let hold = Hold(cause: holdCause, placedAt: time, origin: cause)
            next.holds[holdCause] = hold
            changes.append(.holdPlaced(hold))
        }

        if state.status == .retired, command != .retire {
            throw DomainError.simRetired
        }

        switch command {
        case .activate(let force, let authority):
            let own: Set<HoldCause> = authority == .operator ? [.manual, .operator] : [.manual]
            // The operator's hold first: no customer can lift it, forced or not, so telling a
            // customer to "activate with force" would only lead to this refusal next.
            if authority == .customer, state.holds[.operator] != nil {
                throw DomainError(
                    .conflict, code: "operator_hold",
                    message: "The operator suspended this SIM; only the operator can lift that hold.",
                    details: ["holds": [HoldCause.operator.description]]
                )
            }
            let blocking = state.holdCauses.filter { !own.contains($0) }
            if !blocking.isEmpty, !force {
                throw DomainError(
                    .conflict, code: "sim_has_holds",
                    message: "Holds of other causes keep the SIM offline: \(blocking.map(\.description).joined(separator: ", ")). Lift them, or activate with force.",
                    details: ["holds": blocking.map(\.description)]
                )
            }
            for holdCause in (force ? state.holdCauses : Array(own)) { lift(holdCause) }
            if !next.status.isProvisioned { next.status = .live }

        case .suspend(let authority):
            guard state.status.isProvisioned else { throw notProvisioned(state.status, action: "suspended") }
            place(authority.holdCause)

        case .provision:
            if state.status == .inventory { next.status = .live }

        case .unprovision:
            switch state.status {
            case .inventory: throw notProvisioned(state.status, action: "unprovisioned")
            case .unprovisioned, .retired: break
            case .live, .offline: next.status = .unprovisioned
            }

        case .retire:
            next.status = .retired

        case .returnToStock:
            guard !state.status.isProvisioned else {
                throw DomainError(
                    .conflict, code: "sim_provisioned",
                    message: "The SIM is \(state.status.rawValue); unprovision it before returning it to stock."
                )
            }
            for holdCause in state.holdCauses { lift(holdCause) }
            next.status = .inventory

        case .placeHold(let holdCause):
            place(holdCause)

        case .liftHold(let holdCause):
            lift(holdCause)
        }

        next.status = next.statusImpliedByHolds
        if next.status != state.status {
            changes.insert(.statusChanged(from: state.status, to: next.status), at: 0)
        }
        return SimTransition(state: next, changes: changes)
    }

    private static func notProvisioned(_ status: SimStatus, action: String) -> DomainError {
        DomainError(
            .conflict, code: "sim_not_provisioned",
            message: "The SIM is \(status.rawValue): only a LIVE or OFFLINE SIM can be \(action)."
        )
    }
}
