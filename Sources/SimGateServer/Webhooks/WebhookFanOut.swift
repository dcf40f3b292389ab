import Foundation
import SimGateCore
import SimGateStore

/// The transactional outbox: every event of a type an enabled endpoint subscribes to becomes
/// a delivery to it, in the same unit of work as the event.
struct WebhookFanOut: EventAppendHook {
    /// Names the deliveries.
    let ids: IdentifierGenerator

    /// Queues a pending delivery of each event to every enabled endpoint of its account that subscribes to its type.
    func eventsAppended(_ events: [Event], in tx: StoreTransaction) async throws {
        let accounts = Set(events.compactMap(\.accountID))
        guard !accounts.isEmpty else { return }
        // A bulk action appends events SIM by SIM: the endpoints are read once per unit of work.
        let endpoints = try await tx.remembered("webhooks.enabled:" + accounts.map(\.rawValue).sorted().joined(separator: ",")) {
            try await tx.webhooks.enabledEndpoints(accountIDs: accounts)
        }
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
    /// The body for `event`, as JSON text: exactly what encoding `{type, timestamp, data:
    /// EventResource(event)}` gives (sorted keys, absent optionals left out), put together from
    /// the JSON the event already holds rather than parsed and written again, since this runs
    /// inside the unit of work of every event that has a subscriber.
    static func body(for event: Event) throws -> String {
        func text(_ value: some Encodable) throws -> String { try APIJSON.encodeToString(value) }
        var data = "{"
        if let account = event.accountID { data += "\"account\":\(try text(account.rawValue)),"  }
        data += "\"cause\":\(try text(CauseResource(event.cause))),\"created_at\":\(try text(RFC3339.string(from: event.createdAt))),"
        data += "\"data\":{\"object\":\(event.object)"
        if let previous = event.previousAttributes { data += ",\"previous_attributes\":\(previous)" }
        data += "},\"id\":\(try text(event.id.rawValue)),\"object\":\"event\","
        if let sim = event.simID { data += "\"sim\":\(try text(sim.rawValue))," }
        data += "\"type\":\(try text(event.type.rawValue))}"
        return "{\"data\":\(data),\"timestamp\":\(try text(RFC3339.string(from: event.createdAt))),\"type\":\(try text(event.type.rawValue))}"
    }

    /// A new pending delivery of `payload` to `endpoint`, due at `time`.
    static func delivery(id: WebhookDeliveryID, endpoint: WebhookEndpoint, messageID: String, eventType: String, payload: String, at time: Date) -> WebhookDelivery {
        WebhookDelivery(
            id: id, endpointID: endpoint.id, accountID: endpoint.accountID, messageID: messageID, eventType: eventType, payload: payload,
            state: .pending, attempts: 0, nextAttemptAt: time, lastStatus: nil, lastError: nil, createdAt: time, updatedAt: time, deliveredAt: nil
        )
    }
}
