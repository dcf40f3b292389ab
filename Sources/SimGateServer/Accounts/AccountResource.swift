import Foundation
import SimGateCore

/// An account as the API shows it.
struct AccountResource: Codable, Equatable, Sendable {
    /// The account's id (`acct_...`).
    let id: String
    /// Always `account`.
    let object: String
    /// The account's name.
    let name: String
    /// `operator` or `customer`.
    let role: String
    /// When the account was created.
    let createdAt: Date
    /// Acct-Interim-Interval in seconds for the account's SIMs; `null` means the server's default.
    let radiusInterimInterval: Int?

    /// The JSON field names, snake_case as the API writes them.
    enum CodingKeys: String, CodingKey {
        case id, object, name, role
        case createdAt = "created_at"
        case radiusInterimInterval = "radius_interim_interval"
    }

    /// The API's view of `account`.
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
