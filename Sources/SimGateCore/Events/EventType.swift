/// The type of an event, like `sim.status_changed`. Open: later features add their own.
public struct EventType: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// A SIM entered the stock.
    public static let simImported = EventType(rawValue: "sim.imported")
    /// A SIM was assigned to a customer account.
    public static let simAssigned = EventType(rawValue: "sim.assigned")
    /// A SIM was taken back from a customer account into the operator's stock.
    public static let simUnassigned = EventType(rawValue: "sim.unassigned")
    /// A SIM's status changed.
    public static let simStatusChanged = EventType(rawValue: "sim.status_changed")
    /// A hold was placed on a SIM.
    public static let simHoldPlaced = EventType(rawValue: "sim.hold_placed")
    /// A hold on a SIM was lifted.
    public static let simHoldLifted = EventType(rawValue: "sim.hold_lifted")
    /// A SIM's labels or metadata changed.
    public static let simUpdated = EventType(rawValue: "sim.updated")
    /// A customer account was created.
    public static let accountCreated = EventType(rawValue: "account.created")
    /// An account's name or settings changed.
    public static let accountUpdated = EventType(rawValue: "account.updated")
    /// An API key was created.
    public static let apiKeyCreated = EventType(rawValue: "api_key.created")
    /// An API key was revoked.
    public static let apiKeyRevoked = EventType(rawValue: "api_key.revoked")
}
