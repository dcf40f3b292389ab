import Foundation

/// A customer's URL that receives signed events of the types it subscribes to.
public struct WebhookEndpoint: Equatable, Sendable {
    /// Whether deliveries are made.
    public enum Status: String, Sendable {
        /// Deliveries are made.
        case enabled
        /// No deliveries are made: turned off by the customer, or by SimGate after `410 Gone`
        /// or days of failures (``WebhookEndpoint/disabledReason`` says which).
        case disabled
    }

    /// The endpoint's `we_...` id.
    public let id: WebhookEndpointID
    /// The account whose events it receives.
    public let accountID: AccountID
    /// Where deliveries are POSTed (http or https).
    public var url: String
    /// What the customer wrote about it.
    public var description: String?
    /// The event types it receives; `*` receives every type.
    public var eventTypes: [String]
    /// Whether deliveries are made.
    public var status: Status
    /// Why it was disabled, when it was.
    public var disabledReason: String?
    /// When it was disabled.
    public var disabledAt: Date?
    /// Whether deliveries go one at a time, in the order their events happened.
    public var ordered: Bool
    /// Most deliveries in flight to it at once (per SimGate instance).
    public var maxConcurrency: Int
    /// Since when every attempt has failed; `nil` after a success.
    public var failingSince: Date?
    /// The sealed signing secret, and the sealed previous one with when it stops signing.
    public var secrets: WebhookSecrets
    /// When it was created.
    public let createdAt: Date
    /// When it last changed.
    public var updatedAt: Date

    /// An endpoint with every part given.
    public init(
        id: WebhookEndpointID, accountID: AccountID, url: String, description: String?, eventTypes: [String], status: Status,
        disabledReason: String? = nil, disabledAt: Date? = nil, ordered: Bool, maxConcurrency: Int, failingSince: Date? = nil,
        secrets: WebhookSecrets, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.accountID = accountID
        self.url = url
        self.description = description
        self.eventTypes = eventTypes
        self.status = status
        self.disabledReason = disabledReason
        self.disabledAt = disabledAt
        self.ordered = ordered
        self.maxConcurrency = maxConcurrency
        self.failingSince = failingSince
        self.secrets = secrets
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Whether it receives events of `type`.
    public func subscribes(to type: String) -> Bool {
        eventTypes.contains("*") || eventTypes.contains(type)
    }

    /// Most endpoints one account has.
    public static let maximumPerAccount = 100
    /// Most deliveries in flight to one endpoint that may be asked for.
    public static let concurrencyRange = 1...50
}

/// An endpoint's signing secrets, sealed (encrypted) as stored: the current one, and while
/// a roll overlaps, the previous one with when it stops signing.
public struct WebhookSecrets: Equatable, Sendable {
    /// The sealed current secret.
    public var current: String
    /// The sealed previous secret, while it still signs.
    public var previous: String?
    /// When the previous secret stops signing.
    public var previousExpiresAt: Date?

    /// Secrets with a current one and, while rolling, the previous one.
    public init(current: String, previous: String? = nil, previousExpiresAt: Date? = nil) {
        self.current = current
        self.previous = previous
        self.previousExpiresAt = previousExpiresAt
    }

    /// The sealed secrets that sign at `time`: the current one, and the previous one until it expires.
    public func signing(at time: Date) -> [String] {
        guard let previous, let previousExpiresAt, time < previousExpiresAt else { return [current] }
        return [current, previous]
    }
}
