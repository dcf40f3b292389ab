/// One fact that a command produced; each becomes an event.
public enum SimChange: Equatable, Sendable {
    /// The status moved from one value to another.
    case statusChanged(from: SimStatus, to: SimStatus)
    /// A hold was placed.
    case holdPlaced(Hold)
    /// A hold was lifted.
    case holdLifted(Hold)
    /// The SIM was given to an account (from stock when `from` is `nil`).
    case assigned(from: AccountID?, to: AccountID)
    /// The SIM left an account, for stock or for another account.
    case unassigned(from: AccountID)
}

/// The outcome of applying a ``SimCommand`` to a state: the new state and what changed, in
/// order. An empty `changes` means the command had nothing to do.
public struct SimTransition: Equatable, Sendable {
    /// The state after the command.
    public let state: SimState
    /// What changed, in order; empty when the command had nothing to do.
    public let changes: [SimChange]
}
