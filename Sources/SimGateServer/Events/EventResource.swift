import Foundation
import SimGateCore

/// An event as the API shows it: Stripe's shape, with `data.object` the object after the
/// change and `data.previous_attributes` what changed, plus the `cause`.
struct EventResource: Codable, Equatable, Sendable {
    /// `data`: the object after the change and, when recorded, the attributes that changed.
    struct EventData: Codable, Equatable, Sendable {
        /// The object after the change, as the API shows it.
        let object: JSONValue
        /// The attributes that changed, with their earlier values; absent when the event has none.
        let previousAttributes: JSONValue?

        /// The JSON field names, snake_case as the API writes them.
        enum CodingKeys: String, CodingKey {
            case object
            case previousAttributes = "previous_attributes"
        }
    }

    /// The event's id (`evt_...`).
    let id: String
    /// Always `event`.
    let object: String
    /// The event type, such as `account.created`.
    let type: String
    /// The account the object belonged to; absent for the operator's stock.
    let account: String?
    /// The SIM concerned, for SIM events; absent otherwise.
    let sim: String?
    /// When it happened.
    let createdAt: Date
    /// The object after the change and what changed.
    let data: EventData
    /// Who made the change, and why.
    let cause: CauseResource

    /// The JSON field names, snake_case as the API writes them.
    enum CodingKeys: String, CodingKey {
        case id, object, type, account, sim, data, cause
        case createdAt = "created_at"
    }

    /// The API's view of `event`; throws if its stored JSON does not parse.
    init(_ event: Event) throws {
        id = event.id.rawValue
        object = "event"
        type = event.type.rawValue
        account = event.accountID?.rawValue
        sim = event.simID?.rawValue
        createdAt = event.createdAt
        data = EventData(
            object: try JSONDecoder().decode(JSONValue.self, from: Data(event.object.utf8)),
            previousAttributes: try event.previousAttributes.map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        )
        cause = CauseResource(event.cause)
    }
}
