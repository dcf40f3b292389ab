/// Something asked of a SIM's lifecycle.
public enum SimCommand: Sendable, Equatable {
    /// Provision if needed and lift the hold of whoever asks (the customer's `manual` hold;
    /// the operator also lifts its own `operator` hold). Refused while holds of other causes
    /// are in force, unless `force`, which lifts them all, except that a customer can never
    /// lift the operator's hold.
    case activate(force: Bool, by: SimAuthority = .customer)
    /// Place the hold of whoever asks on a provisioned SIM: `manual` for the customer,
    /// `operator` for the operator.
    case suspend(by: SimAuthority = .customer)
    /// Take a SIM out of stock because it was paid for: LIVE, or OFFLINE if holds are in
    /// force. Leaves a SIM that is not in stock as it is.
    case provision
    /// Remove the SIM from the network; it keeps its holds and can be provisioned again.
    case unprovision
    /// Close the SIM for good.
    case retire
    /// Put the SIM back in stock: INVENTORY, no holds. Only when it is not provisioned.
    case returnToStock
    /// Place the hold of `cause` (used by payments, rules, bundles and the network).
    case placeHold(HoldCause)
    /// Lift the hold of `cause` if it is in force.
    case liftHold(HoldCause)
}

/// Whose hand a command is from: a customer's key, or the operator's, whose suspension the
/// customer cannot lift.
public enum SimAuthority: Sendable, Equatable {
    /// A customer's API key: places and lifts `manual` holds.
    case customer
    /// The operator: places and lifts `operator` holds, which no customer can lift.
    case `operator`

    /// The hold this party places and lifts as its own.
    public var holdCause: HoldCause { self == .operator ? .operator : .manual }
}
