import Foundation
import SimGateCore

/// Builds events about objects other than SIMs (accounts, keys, billing bindings), with the
/// object's snapshot in the API's own JSON.
struct EventFactory: Sendable {
    /// Makes each new event's id.
    let ids: IdentifierGenerator

    /// An event about `object`, in `accountID`'s feed; `simID` when it concerns one SIM.
    func event<Resource: Encodable>(
        _ type: EventType, accountID: AccountID, simID: SimID? = nil, object: Resource,
        previousAttributes: [String: JSONValue]? = nil, cause: ChangeCause, at time: Date
    ) throws -> Event {
        Event(
            id: ids.make(), type: type, accountID: accountID, simID: simID, object: try APIJSON.encodeToString(object),
            previousAttributes: try previousAttributes.map { try APIJSON.encodeToString($0) }, cause: cause, createdAt: time
        )
    }
}
