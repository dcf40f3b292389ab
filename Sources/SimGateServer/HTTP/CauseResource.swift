import SimGateCore

/// Who made a change and why, as the API shows it: `{"actor": {"type", "id"}, "reason"}`.
struct CauseResource: Codable, Equatable, Sendable {
    /// The actor of a change: what kind it is and, when it has one, its id.
    struct ActorResource: Codable, Equatable, Sendable {
        /// The actor's kind: `api_key`, `rule`, `gateway_event`, `scheduler`, `network` or `system`.
        let type: String
        /// The actor's id (the API key's, for example); absent when it has none.
        let id: String?
    }

    /// Who made the change.
    let actor: ActorResource
    /// The reason given with the change; absent when none was.
    let reason: String?

    /// The API's view of `cause`.
    init(_ cause: ChangeCause) {
        actor = ActorResource(type: cause.actor.kind.rawValue, id: cause.actor.id)
        reason = cause.reason
    }
}
