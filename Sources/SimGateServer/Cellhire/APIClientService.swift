import Foundation
import SimGateCore
import SimGateStore

/// OAuth client credentials for the Cellhire-compatible API: issuing, revoking, and trading
/// them for access tokens (client credentials grant, RFC 6749 section 4.4).
struct APIClientService: Sendable {
    /// Where clients and token hashes are kept.
    let store: Store
    /// Decides when tokens expire.
    let clock: any WallClock
    /// Names new clients and events.
    let ids: IdentifierGenerator

    /// How long a token lasts, in seconds, as Cellhire's.
    static let tokenLifetime = 3_600

    private var factory: EventFactory { EventFactory(ids: ids) }

    /// Creates a client for `accountID`; returns it with its secret, which is not kept.
    func create(for accountID: AccountID, name: String, cause: ChangeCause) async throws -> (client: APIClient, secret: String) {
        let now = clock.now()
        let secret = ClientCredentials.makeSecret()
        let client = APIClient(id: ids.make(), accountID: accountID, name: name, redactedSecret: ClientCredentials.redacted(secret), createdAt: now, revokedAt: nil)
        try await store.transaction { tx in
            guard try await tx.accounts.find(accountID) != nil else { throw DomainError.notFound("account", param: "account") }
            try await tx.apiClients.insert(client, secretHash: ClientCredentials.hash(secret))
            try await tx.events.append([try factory.event(.apiClientCreated, accountID: accountID, object: APIClientResource(client), cause: cause, at: now)])
        }
        return (client, secret)
    }

    /// Revokes a client visible to `visibleAccountID`; its tokens stop working at once.
    func revoke(_ id: APIClientID, visibleAccountID: AccountID?, cause: ChangeCause) async throws -> APIClient {
        let now = clock.now()
        return try await store.transaction { tx in
            guard var client = try await tx.apiClients.find(id, accountID: visibleAccountID) else { throw DomainError.notFound("API client") }
            guard client.revokedAt == nil else { return client }
            try await tx.apiClients.revoke(id, at: now)
            client.revokedAt = now
            try await tx.events.append([try factory.event(.apiClientRevoked, accountID: client.accountID, object: APIClientResource(client), cause: cause, at: now)])
            return client
        }
    }

    /// One page of the clients of `accountID` (every account's for `nil`).
    func list(accountID: AccountID?, _ page: PageRequest) async throws -> Page<APIClient> {
        try await store.read { tx in try await tx.apiClients.list(accountID: accountID, page) }
    }

    /// The client with this id, if `visibleAccountID` (when given) owns it.
    func find(_ id: APIClientID, visibleAccountID: AccountID?) async throws -> APIClient {
        guard let client = try await store.read({ tx in try await tx.apiClients.find(id, accountID: visibleAccountID) }) else {
            throw DomainError.notFound("API client")
        }
        return client
    }

    /// A new access token for a live client whose secret matches; `nil` for any bad client.
    func issueToken(clientID: String, secret: String) async throws -> String? {
        guard let id = APIClientID(parsing: clientID), secret.count < 200 else { return nil }
        let now = clock.now()
        // Checked on a read first: a wrong secret took the database's write lock (on SQLite,
        // every writer's) for each guess. The write checks again, as the client may be revoked
        // between the two.
        func valid(_ found: (APIClient, String)?) -> Bool {
            guard let (client, hash) = found else { return false }
            return client.revokedAt == nil && ClientCredentials.matches(secret, storedHash: hash)
        }
        guard valid(try await store.read({ tx in try await tx.apiClients.findWithHash(id) })) else { return nil }
        return try await store.transaction { tx -> String? in
            guard valid(try await tx.apiClients.findWithHash(id)) else { return nil }
            let token = ClientCredentials.makeToken()
            try await tx.apiClients.insertToken(
                hash: ClientCredentials.hash(token), clientID: id, expiresAt: now.addingTimeInterval(TimeInterval(Self.tokenLifetime)), now: now
            )
            return token
        }
    }

    /// The live client a presented token belongs to, if the token is known and unexpired.
    func authenticate(token: String) async throws -> APIClient? {
        guard token.hasPrefix("sgt_"), token.count < 200 else { return nil }
        let now = clock.now()
        return try await store.read { tx in try await tx.apiClients.client(forTokenHash: ClientCredentials.hash(token), now: now) }
    }
}
