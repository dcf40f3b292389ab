import Foundation
import SimGateCore
import SimGateStore

/// Webhook endpoints: registering, changing, rolling secrets, test messages, the delivery
/// log and replays. Each change is an event in the account's feed.
struct WebhookEndpointService: Sendable {
    /// Where endpoints and deliveries are kept.
    let store: Store
    /// The time written on changes.
    let clock: any WallClock
    /// Names endpoints, deliveries and events.
    let ids: IdentifierGenerator
    /// Seals signing secrets for storage.
    let secrets: SecretBox
    /// Refuses URLs whose host is a literal reserved address at once (names are checked at delivery).
    let targets: WebhookTargetGuard

    private var factory: EventFactory { EventFactory(ids: ids) }

    /// Registers an endpoint for `accountID`; returns it with its secret, in clear this once.
    func create(_ request: WebhookEndpointRequest, accountID: AccountID, cause: ChangeCause) async throws -> (WebhookEndpoint, secret: String) {
        guard let url = request.url else { throw APIError.invalid("parameter_missing", "'url' is required.", param: "url") }
        guard let eventTypes = request.eventTypes else {
            throw APIError.invalid("parameter_missing", "'event_types' is required: a list of event types, or [\"*\"].", param: "event_types")
        }
        try checkTarget(url)
        let secret = StandardWebhookSignature.makeSecret()
        let now = clock.now()
        let endpoint = WebhookEndpoint(
            id: ids.make(), accountID: accountID, url: url, description: request.description, eventTypes: eventTypes,
            status: request.status ?? .enabled, ordered: request.ordered ?? false, maxConcurrency: request.maxConcurrency ?? 5,
            secrets: WebhookSecrets(current: try secrets.seal(secret)), createdAt: now, updatedAt: now
        )
        try await store.transaction { tx in
            guard try await tx.accounts.find(accountID) != nil else { throw DomainError.notFound("account", param: "account") }
            guard try await tx.webhooks.count(accountID: accountID) < WebhookEndpoint.maximumPerAccount else {
                throw DomainError(.conflict, code: "too_many_endpoints", message: "An account has at most \(WebhookEndpoint.maximumPerAccount) webhook endpoints.")
            }
            try await tx.webhooks.insert(endpoint)
            try await tx.events.append([try event(.webhookEndpointCreated, endpoint, cause: cause, at: now)])
        }
        return (endpoint, secret)
    }

    /// Changes what `request` gives; re-enabling clears the reason it was disabled and its failing streak.
    func update(_ id: WebhookEndpointID, _ request: WebhookEndpointRequest, visibleAccountID: AccountID?, cause: ChangeCause) async throws -> WebhookEndpoint {
        if request.account != nil { throw APIError.invalid("immutable_parameter", "An endpoint's account cannot change.", param: "account") }
        if let url = request.url { try checkTarget(url) }
        return try await store.transaction { tx in
            let previous = try await load(id, visibleAccountID: visibleAccountID, in: tx)
            var endpoint = previous
            if let url = request.url { endpoint.url = url }
            if let types = request.eventTypes { endpoint.eventTypes = types }
            if let description = request.description { endpoint.description = description }
            if let ordered = request.ordered { endpoint.ordered = ordered }
            if let concurrency = request.maxConcurrency { endpoint.maxConcurrency = concurrency }
            if let status = request.status, status != previous.status {
                endpoint.status = status
                endpoint.disabledAt = status == .disabled ? clock.now() : nil
                endpoint.disabledReason = status == .disabled ? "Disabled through the API." : nil
                endpoint.failingSince = nil
            }
            guard endpoint != previous else { return previous }
            endpoint.updatedAt = clock.now()
            try await tx.webhooks.save(endpoint)
            try await tx.events.append([try event(.webhookEndpointUpdated, endpoint, cause: cause, at: endpoint.updatedAt)])
            return endpoint
        }
    }

    /// A new signing secret; the previous one keeps signing for `overlap` seconds beside it.
    func rotateSecret(_ id: WebhookEndpointID, overlap: Int, visibleAccountID: AccountID?, cause: ChangeCause) async throws -> (WebhookEndpoint, secret: String) {
        let secret = StandardWebhookSignature.makeSecret()
        let sealed = try secrets.seal(secret)
        let endpoint = try await store.transaction { tx in
            var endpoint = try await load(id, visibleAccountID: visibleAccountID, in: tx)
            let now = clock.now()
            endpoint.secrets = overlap > 0
                ? WebhookSecrets(current: sealed, previous: endpoint.secrets.current, previousExpiresAt: now + TimeInterval(overlap))
                : WebhookSecrets(current: sealed)
            endpoint.updatedAt = now
            try await tx.webhooks.save(endpoint)
            try await tx.events.append([try event(.webhookEndpointUpdated, endpoint, cause: cause, at: now)])
            return endpoint
        }
        return (endpoint, secret)
    }

    /// Deletes an endpoint with its deliveries and their log.
    func delete(_ id: WebhookEndpointID, visibleAccountID: AccountID?, cause: ChangeCause) async throws -> WebhookEndpoint {
        try await store.transaction { tx in
            let endpoint = try await load(id, visibleAccountID: visibleAccountID, in: tx)
            try await tx.webhooks.delete(endpoint.id)
            try await tx.events.append([try event(.webhookEndpointDeleted, endpoint, cause: cause, at: clock.now())])
            return endpoint
        }
    }

    /// Queues a `webhook_endpoint.test` message to the endpoint alone, whatever it subscribes to.
    func sendTest(_ id: WebhookEndpointID, visibleAccountID: AccountID?) async throws -> WebhookDelivery {
        try await store.transaction { tx in
            let endpoint = try await load(id, visibleAccountID: visibleAccountID, in: tx)
            let now = clock.now()
            let messageID = "msg_" + ids.nextBody()
            let payload = try APIJSON.encodeToString(TestMessage(
                type: "webhook_endpoint.test", timestamp: now,
                data: .init(endpoint: endpoint.id.rawValue, message: "A test message from SimGate: the endpoint receives and verifies deliveries.")
            ))
            let delivery = WebhookPayload.delivery(
                id: ids.make(), endpoint: endpoint, messageID: messageID, eventType: "webhook_endpoint.test", payload: payload, at: now
            )
            try await tx.webhooks.enqueue([delivery])
            return delivery
        }
    }

    /// The endpoint, if the caller may see it.
    func find(_ id: WebhookEndpointID, visibleAccountID: AccountID?) async throws -> WebhookEndpoint {
        try await store.read { tx in try await load(id, visibleAccountID: visibleAccountID, in: tx) }
    }

    /// One page of the endpoints the caller may see.
    func list(visibleAccountID: AccountID?, _ page: PageRequest) async throws -> Page<WebhookEndpoint> {
        try await store.read { tx in try await tx.webhooks.list(accountID: visibleAccountID, page) }
    }

    /// One page of an endpoint's deliveries.
    func deliveries(of id: WebhookEndpointID, state: WebhookDelivery.State?, visibleAccountID: AccountID?, _ page: PageRequest) async throws -> Page<WebhookDelivery> {
        try await store.read { tx in
            let endpoint = try await load(id, visibleAccountID: visibleAccountID, in: tx)
            return try await tx.webhooks.deliveries(endpointID: endpoint.id, state: state, page)
        }
    }

    /// A delivery and its attempts, if the caller may see it.
    func delivery(_ id: WebhookDeliveryID, visibleAccountID: AccountID?) async throws -> (WebhookDelivery, [WebhookAttempt]) {
        try await store.read { tx in
            guard let delivery = try await tx.webhooks.delivery(id, accountID: visibleAccountID) else { throw DomainError.notFound("webhook delivery") }
            return (delivery, try await tx.webhooks.attempts(deliveryID: id))
        }
    }

    /// Sends a delivery again, with the same `webhook-id`; refused while an attempt is under way.
    func replay(_ id: WebhookDeliveryID, visibleAccountID: AccountID?) async throws -> WebhookDelivery {
        try await store.transaction { tx in
            guard try await tx.webhooks.delivery(id, accountID: visibleAccountID) != nil else { throw DomainError.notFound("webhook delivery") }
            guard try await tx.webhooks.replay(id, now: clock.now()) else {
                throw DomainError(.conflict, code: "delivery_in_flight", message: "An attempt at this delivery is under way; replay it once it ends.")
            }
            guard let delivery = try await tx.webhooks.delivery(id, accountID: visibleAccountID) else { throw DomainError.notFound("webhook delivery") }
            return delivery
        }
    }

    /// Sends again every failed delivery of the endpoint made since `since`; returns how many.
    func replayFailed(_ id: WebhookEndpointID, since: Date, visibleAccountID: AccountID?) async throws -> Int {
        try await store.transaction { tx in
            let endpoint = try await load(id, visibleAccountID: visibleAccountID, in: tx)
            return try await tx.webhooks.replayFailed(endpointID: endpoint.id, since: since, now: clock.now())
        }
    }

    private func load(_ id: WebhookEndpointID, visibleAccountID: AccountID?, in tx: StoreTransaction) async throws -> WebhookEndpoint {
        guard let endpoint = try await tx.webhooks.find(id, accountID: visibleAccountID, forUpdate: true) else {
            throw DomainError.notFound("webhook endpoint")
        }
        return endpoint
    }

    /// Refuses at once a URL whose host is a literal address deliveries may not reach.
    private func checkTarget(_ url: String) throws {
        guard let host = URLComponents(string: url)?.host else { return }
        // A final dot (`169.254.169.254.`) roots a name; written after an address it was taken
        // as a host name, whose every attempt then failed for days.
        let rooted = !host.hasPrefix("[") && host.hasSuffix(".") ? String(host.dropLast()) : host
        let bare = rooted.hasPrefix("[") ? String(rooted.dropFirst().dropLast()) : rooted
        // The resolver also reads IPv4's older forms as addresses (`127.1`, `2130706433`,
        // `0x7f000001`, `0177.0.0.1`): judged as the address they name, not as a host name
        // whose every attempt would then fail for days.
        let address = IPAddressBytes(bare) != nil ? bare : IPAddressBytes.legacyIPv4Text(bare)
        if let address, !targets.mayReach(address) {
            throw APIError.invalid(
                "url_not_allowed", "'url' points at \(address), a private or reserved address SimGate does not deliver to.", param: "url"
            )
        }
    }

    /// An event about an endpoint (never with its secret).
    func event(_ type: EventType, _ endpoint: WebhookEndpoint, cause: ChangeCause, at time: Date) throws -> Event {
        try factory.event(type, accountID: endpoint.accountID, object: WebhookEndpointResource(endpoint), cause: cause, at: time)
    }

    /// The body of a test message.
    private struct TestMessage: Encodable {
        struct Data: Encodable {
            /// The `we_...` id of the endpoint tested.
            let endpoint: String
            /// A fixed sentence saying this is a test.
            let message: String
        }

        let type: String
        let timestamp: Date
        let data: Data
    }
}
