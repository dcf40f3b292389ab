import Foundation
import SimGateCore

/// A received gateway event and what became of it.
struct GatewayEventResource: Codable, Equatable, Sendable {
    /// The stored event's id (`gwe_...`).
    let id: String
    /// Always `gateway_event`.
    let object: String
    /// The account of the gateway that sent it.
    let account: String
    /// The gateway that sent it (`gw_...`).
    let gateway: String
    /// The gateway's own id for it (Stripe event id, `webhook-id`, Braintree payload digest).
    let externalId: String
    /// The event type, as the gateway names it.
    let type: String
    /// The subscription it concerns; null if none.
    let subscription: String?
    /// `received`, `applied`, `unbound`, `ignored` or `failed`.
    let status: String
    /// A sentence on what applying it did; null until it has been processed.
    let outcome: String?
    /// When the webhook arrived.
    let receivedAt: Date
    /// When the apply job last recorded an outcome; null until then.
    let processedAt: Date?
    /// The body exactly as the gateway sent it.
    let payload: String

    /// JSON names of the fields, in snake case.
    enum CodingKeys: String, CodingKey {
        case id, object, account, gateway, type, subscription, status, outcome, payload
        case externalId = "external_id"
        case receivedAt = "received_at"
        case processedAt = "processed_at"
    }

    /// The API view of `event`.
    init(_ event: GatewayEvent) {
        id = event.id.rawValue
        object = "gateway_event"
        account = event.accountID.rawValue
        gateway = event.gatewayID.rawValue
        externalId = event.externalID
        type = event.type
        subscription = event.subscriptionID
        status = event.status.rawValue
        outcome = event.outcome
        receivedAt = event.receivedAt
        processedAt = event.processedAt
        payload = event.payload
    }
}
