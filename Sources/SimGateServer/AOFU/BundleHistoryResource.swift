import Foundation
import SimGateCore

/// `GET /v1/sims/{id}/bundle`: the bundle now and every grant and top-up, oldest first.
struct BundleHistoryResource: Codable, Equatable, Sendable {
    /// One grant or top-up.
    struct Change: Codable, Equatable, Sendable {
        /// `granted` (a new bundle) or `topped_up`.
        let kind: String
        /// Bytes granted or added.
        let bytes: UInt64
        /// Who did it and why.
        let cause: CauseResource
        /// When.
        let createdAt: Date

        /// The JSON field names, snake_case as the API writes them.
        enum CodingKeys: String, CodingKey {
            case kind, bytes, cause
            case createdAt = "created_at"
        }
    }

    /// Always `bundle`.
    let object: String
    /// The SIM's id.
    let sim: String
    /// The bundle now; `null` when the SIM has none.
    let current: BundleResource?
    /// Grants and top-ups, oldest first.
    let changes: [Change]

    /// The history of `sim`'s bundle.
    init(sim: Sim, changes: [BundleChange]) {
        object = "bundle"
        self.sim = sim.id.rawValue
        current = sim.bundle.map(BundleResource.init)
        self.changes = changes.map { Change(kind: $0.kind.rawValue, bytes: $0.bytes, cause: CauseResource($0.cause), createdAt: $0.at) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(object, forKey: .object)
        try container.encode(sim, forKey: .sim)
        try container.encode(current, forKey: .current)
        try container.encode(changes, forKey: .changes)
    }
}
