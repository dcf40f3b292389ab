import Foundation
import SimGateCore

/// Builds events with snapshots in the API's own JSON, so an event's `data.object` reads
/// exactly like the object does.
struct EventFactory: Sendable {
    let ids: IdentifierGenerator

    /// The events for one SIM's lifecycle changes, all carrying the SIM as it is afterwards.
    func simEvents(for changes: [SimChange], sim: Sim, previous: Sim, cause: ChangeCause, at time: Date) throws -> [Event] {
        let snapshot = try APIJSON.encodeToString(SimResource(sim))
        let previousHolds = previous.state.holdCauses.map(\.description)
        return try changes.map { change in
            let (type, previousAttributes): (EventType, [String: JSONValue]) = switch change {
            case .statusChanged(let from, _): (.simStatusChanged, ["status": .string(from.rawValue)])
            case .holdPlaced: (.simHoldPlaced, ["holds": .array(previousHolds.map(JSONValue.string))])
            case .holdLifted: (.simHoldLifted, ["holds": .array(previousHolds.map(JSONValue.string))])
            }
            return try simEvent(type, sim: sim, snapshot: snapshot, previousAttributes: previousAttributes, cause: cause, at: time)
        }
    }

    /// One event about `sim`; `snapshot` may be passed when several events share it.
    func simEvent(
        _ type: EventType, sim: Sim, snapshot: String? = nil, previousAttributes: [String: JSONValue]?,
        cause: ChangeCause, at time: Date
    ) throws -> Event {
        Event(
            id: ids.make(), type: type, accountID: sim.accountID, simID: sim.id,
            object: try snapshot ?? APIJSON.encodeToString(SimResource(sim)),
            previousAttributes: try previousAttributes.map { try APIJSON.encodeToString($0) },
            cause: cause, createdAt: time
        )
    }

    /// An event about an object that is not a SIM (accounts, keys).
    func event<Resource: Encodable>(_ type: EventType, accountID: AccountID, object: Resource, cause: ChangeCause, at time: Date) throws -> Event {
        Event(
            id: ids.make(), type: type, accountID: accountID, simID: nil,
            object: try APIJSON.encodeToString(object), previousAttributes: nil, cause: cause, createdAt: time
        )
    }
}
