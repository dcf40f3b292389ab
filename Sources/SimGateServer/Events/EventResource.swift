import Foundation
import SimGateCore

/// An event as the API shows it: Stripe's shape, with `data.object` the object after the
/// change and `data.previous_attributes` what changed, plus the `cause`.
struct EventResource: Codable, Equatable, Sendable {
    struct EventData: Codable, Equatable, Sendable {
        let object: JSONValue
        let previousAttributes: JSONValue?

        enum CodingKeys: String, CodingKey {
            case object
            case previousAttributes = "previous_attributes"
        }
    }

    let id: String
    let object: String
    let type: String
    let account: String?
    let sim: String?
    let createdAt: Date
    let data: EventData
    let cause: CauseResource

    enum CodingKeys: String, CodingKey {
        case id, object, type, account, sim, data, cause
        case createdAt = "created_at"
    }

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
