import Foundation
import SimGateCore
import SQLKit

/// Reads and writes OAuth clients and the access tokens issued to them. Secrets and tokens are
/// stored only as hashes.
public struct APIClientRepository: Sendable {
    /// The connection (inside its transaction) every query here runs on.
    let db: any SQLDatabase

    /// Stores a new client with the hash of its secret.
    public func insert(_ client: APIClient, secretHash: String) async throws {
        try await db.insert(into: "api_clients").columns("id", "account_id", "name", "secret_hash", "redacted_secret", "created_at", "revoked_at")
            .values(
                SQLBind(client.id.rawValue), SQLBind(client.accountID.rawValue), SQLBind(client.name), SQLBind(secretHash),
                SQLBind(client.redactedSecret), SQLBind(client.createdAt.stored), SQLBind(client.revokedAt?.stored)
            ).run()
    }

    /// The client and the hash of its secret, to check a presented secret against.
    public func findWithHash(_ id: APIClientID) async throws -> (client: APIClient, secretHash: String)? {
        guard let row = try await db.select().column("*").from("api_clients").where("id", .equal, id.rawValue).first() else { return nil }
        return (try Self.client(row), try row.string("secret_hash"))
    }

    /// The client with this id, if `accountID` (when given) owns it.
    public func find(_ id: APIClientID, accountID: AccountID?) async throws -> APIClient? {
        var query = db.select().column("*").from("api_clients").where("id", .equal, id.rawValue)
        if let accountID { query = query.where("account_id", .equal, accountID.rawValue) }
        return try await query.first().map(Self.client)
    }

    /// Clients of one account, or of all accounts when `accountID` is `nil`.
    public func list(accountID: AccountID?, _ page: PageRequest) async throws -> Page<APIClient> {
        var query = db.select().column("*").from("api_clients")
        if let accountID { query = query.where("account_id", .equal, accountID.rawValue) }
        return pageOf(try await query.paged(page).all().map(Self.client), request: page)
    }

    /// Revokes a client and deletes its tokens.
    public func revoke(_ id: APIClientID, at time: Date) async throws {
        try await db.update("api_clients").set("revoked_at", to: SQLBind(time.stored)).where("id", .equal, id.rawValue).run()
        try await db.delete(from: "access_tokens").where("client_id", .equal, id.rawValue).run()
    }

    /// Stores a token by its hash until `expiresAt`, and forgets tokens already expired.
    public func insertToken(hash: String, clientID: APIClientID, expiresAt: Date, now: Date) async throws {
        try await db.delete(from: "access_tokens").where("expires_at", .lessThan, now.stored).run()
        try await db.insert(into: "access_tokens").columns("token_hash", "client_id", "expires_at", "created_at")
            .values(SQLBind(hash), SQLBind(clientID.rawValue), SQLBind(expiresAt.stored), SQLBind(now.stored)).run()
    }

    /// The live client a token with this hash belongs to, if the token has not expired at `now`.
    public func client(forTokenHash hash: String, now: Date) async throws -> APIClient? {
        guard let token = try await db.select().columns("client_id", "expires_at").from("access_tokens").where("token_hash", .equal, hash).first(),
              try token.date("expires_at") > now
        else { return nil }
        let client = try await find(APIClientID(trusted: try token.string("client_id")), accountID: nil)
        return client?.revokedAt == nil ? client : nil
    }

    /// Reads an `api_clients` row.
    static func client(_ row: any SQLRow) throws -> APIClient {
        APIClient(
            id: APIClientID(trusted: try row.string("id")), accountID: AccountID(trusted: try row.string("account_id")),
            name: try row.string("name"), redactedSecret: try row.string("redacted_secret"),
            createdAt: try row.date("created_at"), revokedAt: try row.optionalDate("revoked_at")
        )
    }
}
