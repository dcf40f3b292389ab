import Foundation
import SimGateCore

/// An account as the API shows it.
struct AccountResource: Codable, Equatable, Sendable {
    let id: String
    let object: String
    let name: String
    let role: String
    let createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, object, name, role
        case createdAt = "created_at"
    }

    init(_ account: Account) {
        id = account.id.rawValue
        object = "account"
        name = account.name
        role = account.role.rawValue
        createdAt = account.createdAt
    }
}
