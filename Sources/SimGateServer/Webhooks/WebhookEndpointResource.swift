import Foundation
import SimGateCore

/// A webhook endpoint as the API shows it; `secret` only in the answer that made it (creation
/// or a roll).
struct WebhookEndpointResource: Codable, Equatable, Sendable {
    /// The endpoint's `we_...` id.
    let id: String
    /// Always `webhook_endpoint`.
    let object: String
    /// The account whose events it receives.
    let account: String
    /// Where deliveries are POSTed.
    let url: String
    /// The customer's note about it; `null` when none.
    let description: String?
    /// The event types it receives; `*` for every type.
    let eventTypes: [String]
    /// `enabled` or `disabled`.
    let status: String
    /// Why SimGate or the customer disabled it.
    let disabledReason: String?
    /// When it was disabled; `null` while enabled.
    let disabledAt: Date?
    /// Whether deliveries go one at a time, in the order of their events.
    let ordered: Bool
    /// Most deliveries in flight to it at once, per SimGate instance.
    let maxConcurrency: Int
    /// Since when every attempt has failed; `null` when the last one succeeded.
    let failingSince: Date?
    /// Until when the previous secret also signs, while a roll overlaps.
    let previousSecretExpiresAt: Date?
    /// The signing secret, shown once.
    let secret: String?
    /// When it was created.
    let createdAt: Date
    /// When it last changed.
    let updatedAt: Date

    /// The JSON field names, snake_case as the API writes them.
    enum CodingKeys: String, CodingKey {
        case id, object, account, url, description, status, ordered, secret
        case eventTypes = "event_types"
        case disabledReason = "disabled_reason"
        case disabledAt = "disabled_at"
        case maxConcurrency = "max_concurrency"
        case failingSince = "failing_since"
        case previousSecretExpiresAt = "previous_secret_expires_at"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// The API's view of `endpoint`, with the clear `secret` only when just made.
    init(_ endpoint: WebhookEndpoint, secret: String? = nil) {
        id = endpoint.id.rawValue
        object = "webhook_endpoint"
        account = endpoint.accountID.rawValue
        url = endpoint.url
        description = endpoint.description
        eventTypes = endpoint.eventTypes
        status = endpoint.status.rawValue
        disabledReason = endpoint.disabledReason
        disabledAt = endpoint.disabledAt
        ordered = endpoint.ordered
        maxConcurrency = endpoint.maxConcurrency
        failingSince = endpoint.failingSince
        previousSecretExpiresAt = endpoint.secrets.previous == nil ? nil : endpoint.secrets.previousExpiresAt
        self.secret = secret
        createdAt = endpoint.createdAt
        updatedAt = endpoint.updatedAt
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(object, forKey: .object)
        try container.encode(account, forKey: .account)
        try container.encode(url, forKey: .url)
        try container.encode(description, forKey: .description)
        try container.encode(eventTypes, forKey: .eventTypes)
        try container.encode(status, forKey: .status)
        try container.encode(disabledReason, forKey: .disabledReason)
        try container.encode(disabledAt, forKey: .disabledAt)
        try container.encode(ordered, forKey: .ordered)
        try container.encode(maxConcurrency, forKey: .maxConcurrency)
        try container.encode(failingSince, forKey: .failingSince)
        try container.encode(previousSecretExpiresAt, forKey: .previousSecretExpiresAt)
        try container.encodeIfPresent(secret, forKey: .secret)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

/// A delivery as the API shows it, with its attempts when one delivery is asked for.
struct WebhookDeliveryResource: Codable, Equatable, Sendable {
    /// The delivery's `whd_...` id.
    let id: String
    /// Always `webhook_delivery`.
    let object: String
    /// The `we_...` id of the endpoint it goes to.
    let endpoint: String
    /// The `webhook-id` header: the same on every attempt and replay.
    let messageId: String
    /// The type of the event it carries.
    let eventType: String
    /// `pending`, `delivering`, `succeeded` or `failed`.
    let state: String
    /// How many attempts were made so far.
    let attempts: Int
    /// When the next attempt is due; absent unless pending.
    let nextAttemptAt: Date?
    /// The HTTP status the last attempt got; absent when it got none.
    let lastStatus: Int?
    /// What went wrong in the last attempt; absent when nothing did.
    let lastError: String?
    /// When the delivery was queued.
    let createdAt: Date
    /// When the delivery succeeded; absent until then.
    let deliveredAt: Date?
    /// Every attempt, oldest first (only on `GET /v1/webhook_deliveries/{id}`).
    let attemptLog: [WebhookAttemptResource]?

    /// The JSON field names, snake_case as the API writes them.
    enum CodingKeys: String, CodingKey {
        case id, object, endpoint, state, attempts
        case messageId = "message_id"
        case eventType = "event_type"
        case nextAttemptAt = "next_attempt_at"
        case lastStatus = "last_status"
        case lastError = "last_error"
        case createdAt = "created_at"
        case deliveredAt = "delivered_at"
        case attemptLog = "attempt_log"
    }

    /// The API's view of `delivery`, with `attempts` when given.
    init(_ delivery: WebhookDelivery, attempts log: [WebhookAttempt]? = nil) {
        id = delivery.id.rawValue
        object = "webhook_delivery"
        endpoint = delivery.endpointID.rawValue
        messageId = delivery.messageID
        eventType = delivery.eventType
        state = delivery.state.rawValue
        attempts = delivery.attempts
        nextAttemptAt = delivery.nextAttemptAt
        lastStatus = delivery.lastStatus
        lastError = delivery.lastError
        createdAt = delivery.createdAt
        deliveredAt = delivery.deliveredAt
        attemptLog = log.map { $0.map(WebhookAttemptResource.init) }
    }
}

/// One attempt in a delivery's log.
struct WebhookAttemptResource: Codable, Equatable, Sendable {
    /// The attempt's `wha_...` id.
    let id: String
    /// When the attempt started.
    let attemptedAt: Date
    /// The HTTP status the endpoint answered; absent when it did not answer.
    let statusCode: Int?
    /// How long the attempt took, in milliseconds.
    let latencyMs: Int64
    /// The start of the response body (up to 1,000 characters); absent when there was none.
    let responseExcerpt: String?
    /// What went wrong (a status other than 2xx, a timeout, a refused address); absent on success.
    let error: String?

    /// The JSON field names, snake_case as the API writes them.
    enum CodingKeys: String, CodingKey {
        case id, error
        case attemptedAt = "attempted_at"
        case statusCode = "status_code"
        case latencyMs = "latency_ms"
        case responseExcerpt = "response_excerpt"
    }

    /// The API's view of `attempt`.
    init(_ attempt: WebhookAttempt) {
        id = attempt.id.rawValue
        attemptedAt = attempt.attemptedAt
        statusCode = attempt.statusCode
        latencyMs = attempt.latencyMilliseconds
        responseExcerpt = attempt.responseExcerpt
        error = attempt.error
    }
}
