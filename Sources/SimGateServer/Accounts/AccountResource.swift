import Foundation
import SimGateCore

/// An account as the API shows it.
struct AccountResource: Codable, Equatable, Sendable {
    let id: String
    let object: String
    let name: String
    let role: String
    let createdAt: Date
    let radiusInterimInterval: Int?

    enum CodingKeys: String, CodingKey {
        case id, object, name, role
        case createdAt = "created_at"
        case radiusInterimInterval = "radius_interim_interval"
    }

    init(_ account: Account) {
        id = account.id.rawValue
        object = "account"
        name = account.name
        role = account.role.rawValue
        createdAt = account.createdAt
        radiusInterimInterval = account.radiusInterimInterval
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(object, forKey: .object)
        try container.encode(name, forKey: .name)
        try container.encode(role, forKey: .role)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(radiusInterimInterval, forKey: .radiusInterimInterval)
    }
}
