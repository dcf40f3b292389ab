import SimGateCore

/// Who made a change and why, as the API shows it: `{"actor": {"type", "id"}, "reason"}`.
struct CauseResource: Codable, Equatable, Sendable {
    struct ActorResource: Codable, Equatable, Sendable {
        let type: String
        let id: String?
    }

    let actor: ActorResource
    let reason: String?

    init(_ cause: ChangeCause) {
        actor = ActorResource(type: cause.actor.kind.rawValue, id: cause.actor.id)
        reason = cause.reason
    }
}
