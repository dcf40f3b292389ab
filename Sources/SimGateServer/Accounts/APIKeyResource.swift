import Foundation
import SimGateCore

/// An API key as the API shows it. `secret` is present only in the response that created it.
struct APIKeyResource: Codable, Equatable, Sendable {
    /// The key's id (`key_...`).
    let id: String
    /// Always `api_key`.
    let object: String
    /// The id of the account the key acts for.
    let account: String
    /// The name given to the key, to tell it from the account's others.
    let name: String
    /// The key with its secret hidden but for the last four characters.
    let redactedSecret: String
    /// What the key may do: `full` or `read_only`.
    let scope: String
    /// The whole key, only in the response that created it; SimGate does not keep it.
    let secret: String?
    /// When the key was created.
    let createdAt: Date
    /// When the key was revoked; `null` while it still works.
    let revokedAt: Date?

    /// The JSON field names, snake_case as the API writes them.
    enum CodingKeys: String, CodingKey {
        case id, object, account, name, secret, scope
        case redactedSecret = "redacted_secret"
        case createdAt = "created_at"
        case revokedAt = "revoked_at"
    }

    /// The API's view of `key`; give `secret` only when answering the request that created it.
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
