/// Who or what made a change happen. Recorded on every event.
public struct ChangeActor: Hashable, Sendable {
    /// The kind of actor.
    public enum Kind: String, Sendable, CaseIterable {
        /// A request authenticated with an API key; `id` is the key's id.
        case apiKey = "api_key"
        /// An automation rule; `id` is the rule's id.
        case rule
        /// A payment gateway event; `id` is the gateway's event id.
        case gatewayEvent = "gateway_event"
        /// The scheduler running a due job; `id` is the job's id.
        case scheduler
        /// The data network (RADIUS); `id` names the gateway.
        case network
        /// SimGate itself (start-up, command line); `id` may name the command.
        case system
        /// A request to the Cellhire-compatible API with an OAuth client's token; `id` is the client's id.
        case apiClient = "api_client"
    }

    /// What sort of actor made the change.
    public let kind: Kind
    /// Which actor of that kind (its meaning depends on ``kind``); `nil` when there is none to name.
    public let id: String?

    /// An actor of `kind`, named by `id` where its kind has one.
    public init(_ kind: Kind, id: String?) {
        self.kind = kind
        self.id = id
    }

    /// A change requested with the API key `id`.
    public static func apiKey(_ id: APIKeyID) -> ChangeActor { ChangeActor(.apiKey, id: id.rawValue) }
}

/// The actor of a change together with the reason it gave.
public struct ChangeCause: Hashable, Sendable {
    /// Who or what made the change.
    public let actor: ChangeActor
    /// Free text from the caller, at most ``maximumReasonLength`` characters.
    public let reason: String?

    /// Longest reason kept, in characters.
    public static let maximumReasonLength = 500

    /// A cause; `reason` is the caller's free text, if it gave one.
    public init(actor: ChangeActor, reason: String? = nil) {
        self.actor = actor
        self.reason = reason
    }
}
