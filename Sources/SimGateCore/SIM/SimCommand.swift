/// Something asked of a SIM's lifecycle.
public enum SimCommand: Sendable, Equatable {
    /// Provision if needed and lift the manual hold. Refused while holds of other causes are in
    /// force, unless `force`, which lifts them all.
    case activate(force: Bool)
    /// Place the manual hold on a provisioned SIM.
    case suspend
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
