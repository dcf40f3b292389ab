import Foundation
import SimGateCore

/// A received gateway event and what became of it.
struct GatewayEventResource: Codable, Equatable, Sendable {
    let id: String
    let object: String
    let account: String
    let gateway: String
    let externalId: String
    let type: String
    let subscription: String?
    let status: String
    let outcome: String?
    let receivedAt: Date
    let processedAt: Date?
    /// The body exactly as the gateway sent it.
    let payload: String

    enum CodingKeys: String, CodingKey {
        case id, object, account, gateway, type, subscription, status, outcome, payload
        case externalId = "external_id"
        case receivedAt = "received_at"
        case processedAt = "processed_at"
    }

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
