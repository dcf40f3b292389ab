import Foundation

/// One message to one endpoint, however many attempts it takes. Its `messageID` is the
/// `webhook-id` header, the same on every attempt and replay, so receivers can deduplicate.
public struct WebhookDelivery: Equatable, Sendable {
    /// Where a delivery is in its life.
    public enum State: String, Sendable, CaseIterable {
        /// Waiting for its next attempt.
        case pending
        /// An attempt is under way.
        case delivering
        /// The endpoint answered 2xx.
        case succeeded
        /// It ran out of attempts, or its endpoint was disabled; it can be replayed.
        case failed
    }

    /// The delivery's `whd_...` id.
    public let id: WebhookDeliveryID
    /// The endpoint it goes to.
    public let endpointID: WebhookEndpointID
    /// The endpoint's account.
    public let accountID: AccountID
    /// The `webhook-id`: the event's id, or `msg_...` for a test message.
    public let messageID: String
    /// The event type the body carries.
    public let eventType: String
    /// The JSON body: `{"type", "timestamp", "data"}`.
    public let payload: String
    /// Where it is in its life.
    public var state: State
    /// Attempts made so far.
    public var attempts: Int
    /// When the next attempt is due, while pending.
    public var nextAttemptAt: Date?
    /// The HTTP status of the last attempt, if it got one.
    public var lastStatus: Int?
    /// What went wrong in the last attempt, if it failed.
    public var lastError: String?
    /// When it was made.
    public let createdAt: Date
    /// When it last changed.
    public var updatedAt: Date
    /// When an attempt succeeded.
    public var deliveredAt: Date?

    /// A delivery with every part given.
    public init(
        id: WebhookDeliveryID, endpointID: WebhookEndpointID, accountID: AccountID, messageID: String, eventType: String, payload: String,
        state: State, attempts: Int, nextAttemptAt: Date?, lastStatus: Int?, lastError: String?, createdAt: Date, updatedAt: Date,
        deliveredAt: Date?
    ) {
        self.id = id
        self.endpointID = endpointID
        self.accountID = accountID
        self.messageID = messageID
        self.eventType = eventType
        self.payload = payload
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.deliveredAt = deliveredAt
    }
}

/// One attempt at a delivery, as the delivery log shows it.
public struct WebhookAttempt: Equatable, Sendable {
    /// The attempt's `wha_...` id.
    public let id: WebhookAttemptID
    /// The delivery it was for.
    public let deliveryID: WebhookDeliveryID
    /// The endpoint it went to.
    public let endpointID: WebhookEndpointID
    /// When it started.
    public let attemptedAt: Date
    /// The HTTP status, when the endpoint answered.
    public let statusCode: Int?
    /// How long it took, in milliseconds.
    public let latencyMilliseconds: Int64
    /// The first 1,000 characters of the response body.
    public let responseExcerpt: String?
    /// What went wrong: a status that is not 2xx, a timeout, a refused address.
    public let error: String?

    /// An attempt with every part given.
    public init(
        id: WebhookAttemptID, deliveryID: WebhookDeliveryID, endpointID: WebhookEndpointID, attemptedAt: Date, statusCode: Int?,
        latencyMilliseconds: Int64, responseExcerpt: String?, error: String?
    ) {
        self.id = id
        self.deliveryID = deliveryID
        self.endpointID = endpointID
        self.attemptedAt = attemptedAt
        self.statusCode = statusCode
        self.latencyMilliseconds = latencyMilliseconds
        self.responseExcerpt = responseExcerpt
        self.error = error
    }

    /// Longest response excerpt kept, in characters.
    public static let maximumExcerpt = 1_000
}
