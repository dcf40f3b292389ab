import Foundation

/// A fact that happened, with the object as it was afterwards and what it was before.
///
/// `object` and `previousAttributes` hold the JSON the API shows for the object, so an event
/// reads the same way as the object it describes; the domain only carries it.
public struct Event: Equatable, Sendable {
    /// The event's `evt_...` identifier; ids sort by creation time.
    public let id: EventID
    /// What happened, e.g. `sim.status_changed`.
    public let type: EventType
    /// The account the object belonged to when it happened; `nil` for the operator's stock.
    public let accountID: AccountID?
    /// The SIM concerned, for SIM events.
    public let simID: SimID?
    /// JSON snapshot of the object after the change.
    public let object: String
    /// JSON object of the attributes that changed, with their earlier values.
    public let previousAttributes: String?
    /// Who or what made it happen, and the reason given.
    public let cause: ChangeCause
    /// When the event was recorded.
    public let createdAt: Date

    /// Assembles an event; `object` and `previousAttributes` are JSON text the API layer made.
    public init(
        id: EventID, type: EventType, accountID: AccountID?, simID: SimID?, object: String,
        previousAttributes: String?, cause: ChangeCause, createdAt: Date
    ) {
        self.id = id
        self.type = type
        self.accountID = accountID
        self.simID = simID
        self.object = object
        self.previousAttributes = previousAttributes
        self.cause = cause
        self.createdAt = createdAt
    }
}

extension Event {
    /// The same event, told to the operator alone: about a session a former holder of the SIM
    /// began, it must reach neither that holder (the SIM is no longer theirs) nor the new one.
    public var operatorOnly: Event {
        Event(id: id, type: type, accountID: nil, simID: simID, object: object, previousAttributes: previousAttributes, cause: cause, createdAt: createdAt)
    }
}
