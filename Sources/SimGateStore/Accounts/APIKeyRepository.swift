import Foundation
import SimGateCore
import SQLKit

/// Reads and writes API keys. Only the hash of a secret is ever stored.
public struct APIKeyRepository: Sendable {
    /// The connection (inside its transaction) every query here runs on.
    let db: any SQLDatabase
    /// What the unit of work noted, for those who act on it once it commits.
    let record: UnitOfWorkRecord

    /// Stores a new key with the hash of its secret; the secret itself is never stored.
    public func insert(_ key: APIKey, secretHash: String) async throws {
        try await db.insert(into: "api_keys")
            .columns("id", "account_id", "name", "secret_hash", "redacted_secret", "created_at", "revoked_at", "scope")
            .values(
                SQLBind(key.id.rawValue), SQLBind(key.accountID.rawValue), SQLBind(key.name), SQLBind(secretHash),
                SQLBind(key.redactedSecret), SQLBind(key.createdAt.stored), SQLBind(key.revokedAt?.stored), SQLBind(key.scope.rawValue)
            )
            .run()
    }

    /// The key and the hash of its secret, to check a presented secret against.
    public func findWithHash(_ id: APIKeyID) async throws -> (key: APIKey, secretHash: String)? {
        guard let row = try await db.select().column("*").from("api_keys").where("id", .equal, id.rawValue).first() else { return nil }
        return (try Self.key(row), try row.string("secret_hash"))
    }

    /// The key with this id, if `accountID` (when given) owns it.
    public func find(_ id: APIKeyID, accountID: AccountID?) async throws -> APIKey? {
        var query = db.select().column("*").from("api_keys").where("id", .equal, id.rawValue)
        if let accountID { query = query.where("account_id", .equal, accountID.rawValue) }
        return try await query.first().map(Self.key)
    }

    /// Keys of one account, or of all accounts when `accountID` is `nil`.
    public func list(accountID: AccountID?, _ page: PageRequest) async throws -> Page<APIKey> {
        var query = db.select().column("*").from("api_keys")
        if let accountID { query = query.where("account_id", .equal, accountID.rawValue) }
        return pageOf(try await query.paged(page).all().map(Self.key), request: page)
    }

    /// Marks the key revoked at `time` unless it already is.
    /// How many keys of `accountID` with `scope` are not revoked; on PostgreSQL the rows are
    /// locked, so two revocations at once cannot both see another key left.
    public func activeCount(accountID: AccountID, scope: APIKey.Scope) async throws -> Int {
        var query = db.select().column("id").from("api_keys").where("account_id", .equal, accountID.rawValue)
            .where("revoked_at", .is, SQLLiteral.null).where("scope", .equal, scope.rawValue)
        if db.dialect.name == "postgresql" { query = query.for(.update) }
        return try await query.all().count
    }

    /// Stamps the key revoked at `time`; a key already revoked keeps its first time.
    public func revoke(_ id: APIKeyID, at time: Date) async throws {
        record.note(.credentials)
        try await db.update("api_keys").set("revoked_at", to: time.stored)
            .where("id", .equal, id.rawValue).where("revoked_at", .is, SQLLiteral.null).run()
    }

    /// Reads an `api_keys` row; an unknown scope is a corrupt row.
    static func key(_ row: any SQLRow) throws -> APIKey {
        let scopeText = try row.string("scope")
        guard let scope = APIKey.Scope(rawValue: scopeText) else { throw StoreError.corruptRow(table: "api_keys", column: "scope", value: scopeText) }
        return APIKey(
            id: APIKeyID(trusted: try row.string("id")), accountID: AccountID(trusted: try row.string("account_id")),
            name: try row.string("name"), redactedSecret: try row.string("redacted_secret"),
            createdAt: try row.date("created_at"), revokedAt: try row.optionalDate("revoked_at"), scope: scope
        )
    }
}
