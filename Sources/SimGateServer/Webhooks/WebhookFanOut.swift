import Foundation
import SimGateCore
import SimGateStore

/// The transactional outbox: every event of a type an enabled endpoint subscribes to becomes
/// a delivery to it, in the same unit of work as the event.
struct WebhookFanOut: EventAppendHook {
    /// Names the deliveries.
    let ids: IdentifierGenerator

    func eventsAppended(_ events: [Event], in tx: StoreTransaction) async throws {
        let accounts = Set(events.compactMap(\.accountID))
        guard !accounts.isEmpty else { return }
        let endpoints = try await tx.webhooks.enabledEndpoints(accountIDs: accounts)
        guard !endpoints.isEmpty else { return }
        var deliveries: [WebhookDelivery] = []
        for event in events {
            guard let accountID = event.accountID else { continue }
            let subscribed = endpoints.filter { $0.accountID == accountID && $0.subscribes(to: event.type.rawValue) }
            guard !subscribed.isEmpty else { continue }
            let payload = try WebhookPayload.body(for: event)
            for endpoint in subscribed {
                deliveries.append(WebhookPayload.delivery(
                    id: ids.make(), endpoint: endpoint, messageID: event.id.rawValue, eventType: event.type.rawValue, payload: payload, at: event.createdAt
                ))
            }
        }
        try await tx.webhooks.enqueue(deliveries)
    }
}

/// The body every delivery carries, Standard Webhooks' shape: `type`, `timestamp` and `data`
/// (the event as `GET /v1/events/{id}` shows it).
enum WebhookPayload {
    /// The fields of the body.
    private struct Body: Encodable {
        let type: String
        let timestamp: Date
        let data: EventResource
    }

    /// The body for `event`, as JSON text.
    static func body(for event: Event) throws -> String {
        try APIJSON.encodeToString(Body(type: event.type.rawValue, timestamp: event.createdAt, data: try EventResource(event)))
    }

    /// A new pending delivery of `payload` to `endpoint`, due at `time`.
    static func delivery(id: WebhookDeliveryID, endpoint: WebhookEndpoint, messageID: String, eventType: String, payload: String, at time: Date) -> WebhookDelivery {
        WebhookDelivery(
            id: id, endpointID: endpoint.id, accountID: endpoint.accountID, messageID: messageID, eventType: eventType, payload: payload,
            state: .pending, attempts: 0, nextAttemptAt: time, lastStatus: nil, lastError: nil, createdAt: time, updatedAt: time, deliveredAt: nil
        )
    }
}
