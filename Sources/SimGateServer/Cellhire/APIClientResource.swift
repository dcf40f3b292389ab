import Foundation
import SimGateCore

/// An OAuth client as the API shows it; `secret` only in the answer that created it.
struct APIClientResource: Codable, Equatable, Sendable {
    /// The client's id, which is its OAuth `client_id`.
    let id: String
    /// Always `api_client`.
    let object: String
    /// The account its tokens act for.
    let account: String
    /// Its name; tickets show it as `createdBy`.
    let name: String
    /// The secret, shown once at creation; absent afterwards.
    let secret: String?
    /// The secret with all but its ends hidden.
    let redactedSecret: String
    /// When it was created.
    let createdAt: Date
    /// When it was revoked; `null` while live.
    let revokedAt: Date?

    /// The JSON field names, snake_case as the API writes them.
    enum CodingKeys: String, CodingKey {
        case id, object, account, name, secret
        case redactedSecret = "redacted_secret"
        case createdAt = "created_at"
        case revokedAt = "revoked_at"
    }

    /// The API's view of `client`, with its `secret` only when just created.
    init(_ client: APIClient, secret: String? = nil) {
        id = client.id.rawValue
        object = "api_client"
        account = client.accountID.rawValue
        name = client.name
        self.secret = secret
        redactedSecret = client.redactedSecret
        createdAt = client.createdAt
        revokedAt = client.revokedAt
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(object, forKey: .object)
        try container.encode(account, forKey: .account)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(secret, forKey: .secret)
        try container.encode(redactedSecret, forKey: .redactedSecret)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(revokedAt, forKey: .revokedAt)
    }
}

/// Body of `POST /v1/api_clients`.
struct CreateAPIClientRequest: Decodable {
    /// The client's name.
    let name: String
    /// The account its tokens act for; the caller's own when absent.
    let account: AccountID?

    /// The fields the body may have; any other is refused.
    enum CodingKeys: String, CodingKey, CaseIterable { case name, account }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        try RequestText.requireNonBlank(name, param: "name", maximumLength: APIClient.maximumNameLength)
        account = try container.decodeIdentifier(.account, AccountKind.self)
    }
}
