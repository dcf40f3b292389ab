/// One fact that a lifecycle transition produced; each becomes an event.
public enum SimChange: Equatable, Sendable {
    /// The status moved from one value to another.
    case statusChanged(from: SimStatus, to: SimStatus)
    /// A hold was placed.
    case holdPlaced(Hold)
    /// A hold was lifted.
    case holdLifted(Hold)
}

/// The outcome of applying a ``SimCommand``: the new state and what changed, in order.
/// An empty `changes` means the command had nothing to do.
public struct SimTransition: Equatable, Sendable {
    public let state: SimState
    public let changes: [SimChange]
}
