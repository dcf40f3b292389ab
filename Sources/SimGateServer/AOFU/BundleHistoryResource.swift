import Foundation
import SimGateCore

/// `GET /v1/sims/{id}/bundle`: the bundle now and a page of its grants and top-ups, oldest
/// first.
struct BundleHistoryResource: Codable, Equatable, Sendable {
    /// One grant or top-up.
    struct Change: Codable, Equatable, Sendable {
        /// The change's id: the cursor (`starting_after`) of the page after it.
        let id: String
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
            case id, kind, bytes, cause
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
    /// Whether later changes follow this page (ask with `starting_after` the last one's id).
    let hasMore: Bool

    enum CodingKeys: String, CodingKey {
        case object, sim, current, changes
        case hasMore = "has_more"
    }

    /// A page of the history of `sim`'s bundle.
    init(sim: Sim, changes: [BundleChange], hasMore: Bool) {
        object = "bundle"
        self.sim = sim.id.rawValue
        current = sim.bundle.map(BundleResource.init)
        self.changes = changes.map { Change(id: $0.id, kind: $0.kind.rawValue, bytes: $0.bytes, cause: CauseResource($0.cause), createdAt: $0.at) }
        self.hasMore = hasMore
    }

    /// Whether `text` has the form of a change's id: 26 characters of Crockford's base 32.
    static func isChangeID(_ text: String) -> Bool {
        text.utf8.count == 26 && text.utf8.allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(object, forKey: .object)
        try container.encode(sim, forKey: .sim)
        try container.encode(current, forKey: .current)
        try container.encode(changes, forKey: .changes)
        try container.encode(hasMore, forKey: .hasMore)
    }
}
