import Foundation
import SimGateCore

/// An API key as the API shows it. `secret` is present only in the response that created it.
struct APIKeyResource: Codable, Equatable, Sendable {
    let id: String
    let object: String
    let account: String
    let name: String
    let redactedSecret: String
    let scope: String
    let secret: String?
    let createdAt: Date
    let revokedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, object, account, name, secret, scope
        case redactedSecret = "redacted_secret"
        case createdAt = "created_at"
        case revokedAt = "revoked_at"
    }

    init(_ key: APIKey, secret: String? = nil) {
        id = key.id.rawValue
        object = "api_key"
        account = key.accountID.rawValue
        name = key.name
        redactedSecret = key.redactedSecret
        scope = key.scope.rawValue
        self.secret = secret
        createdAt = key.createdAt
        revokedAt = key.revokedAt
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(object, forKey: .object)
        try container.encode(account, forKey: .account)
        try container.encode(name, forKey: .name)
        try container.encode(redactedSecret, forKey: .redactedSecret)
        try container.encode(scope, forKey: .scope)
        // Absent rather than null: a listed key has no secret to show, ever.
        try container.encodeIfPresent(secret, forKey: .secret)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(revokedAt, forKey: .revokedAt)
    }
}
