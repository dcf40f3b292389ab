import Foundation
import SimGateCore

/// Builds SIM events, each carrying the SIM as the API shows it, so an event's `data.object`
/// reads exactly like the SIM does.
struct SimEvents: Sendable {
    /// Makes the ids of new events.
    let ids: IdentifierGenerator

    /// One event per change of `update`, all carrying the SIM as it is afterwards.
    func simEvents(for update: SimUpdate, cause: ChangeCause, at time: Date, snapshot known: String? = nil) throws -> [Event] {
        // Straight from one customer to another, what happened on the way out (holds lifted,
        // the departure itself) is told to the former customer, with the SIM as it left it,
        // never showing the new owner.
        let handedOver = update.changes.contains { if case .assigned = $0 { true } else { false } }
        var sim = update.sim
        if handedOver { sim.accountID = update.previous.accountID }
        let snapshot = try (handedOver ? nil : known) ?? SimSnapshotJSON.text(of: SimResource(sim))
        let previousHolds = JSONValue.array(update.previous.state.holdCauses.map { .string($0.description) })
        return try update.changes.map { change in
            switch change {
            case .statusChanged(let from, _):
                return try simEvent(.simStatusChanged, sim: sim, snapshot: snapshot, previousAttributes: ["status": .string(from.rawValue)], cause: cause, at: time)
            case .holdPlaced:
                return try simEvent(.simHoldPlaced, sim: sim, snapshot: snapshot, previousAttributes: ["holds": previousHolds], cause: cause, at: time)
            case .holdLifted:
                return try simEvent(.simHoldLifted, sim: sim, snapshot: snapshot, previousAttributes: ["holds": previousHolds], cause: cause, at: time)
            case .assigned:
                // The new holder's event: the former holder, if any, is not theirs to know (its
                // own `sim.unassigned` event tells it the SIM left; the operator sees both).
                return try simEvent(.simAssigned, sim: update.sim, previousAttributes: ["account": .null], cause: cause, at: time)
            case .unassigned(let former):
                // Recorded under the former account, so its history shows the SIM left. Handed
                // straight to another customer, the SIM is shown with no account, as after a
                // return to stock: shown as the former's, the event said it went from that
                // account to itself, and the new holder is not the former's to know.
                var left = sim
                left.accountID = nil
                let event = try simEvent(
                    .simUnassigned, sim: left, snapshot: handedOver ? nil : snapshot, previousAttributes: ["account": .string(former.rawValue)], cause: cause, at: time
                )
                return Event(
                    id: event.id, type: event.type, accountID: former, simID: sim.id, object: event.object,
                    previousAttributes: event.previousAttributes, cause: cause, createdAt: time
                )
            }
        }
    }

    /// One event about `sim`; `snapshot` may be passed when several events share it.
    func simEvent(
        _ type: EventType, sim: Sim, snapshot: String? = nil, previousAttributes: [String: JSONValue]?,
        cause: ChangeCause, at time: Date
    ) throws -> Event {
        Event(
            id: ids.make(), type: type, accountID: sim.accountID, simID: sim.id,
            object: try snapshot ?? SimSnapshotJSON.text(of: SimResource(sim)),
            previousAttributes: try previousAttributes.map { try APIJSON.encodeToString($0) },
            cause: cause, createdAt: time
        )
    }
}
