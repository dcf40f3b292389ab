import Foundation
import SimGateCore
import SimGateStore

/// Creating accounts and their API keys, including the operator's first key.
struct AccountOperations: Sendable {
    let database: SimGateDatabase
    let clock: any WallClock
    let ids: IdentifierGenerator
    private let accounts = AccountStore()
    private let keys = APIKeyStore()
    private let events = EventStore()

    init(database: SimGateDatabase, clock: any WallClock, ids: IdentifierGenerator) {
        self.database = database
        self.clock = clock
        self.ids = ids
    }

    private var eventFactory: EventFactory { EventFactory(ids: ids) }

    /// Creates a customer account.
    func createCustomer(name: String, cause: ChangeCause) async throws -> Account {
        let now = clock.now()
        let account = Account(id: ids.make(), name: name, role: .customer, createdAt: now)
        try await database.transaction { db in
            try await accounts.insert(account, on: db)
            try await events.append([eventFactory.event(.accountCreated, accountID: account.id, object: AccountResource(account), cause: cause, at: now)], on: db)
        }
        return account
    }

    /// Changes an account's name or interim interval, with an `account.updated` event.
    func update(_ id: AccountID, name: String?, radiusInterimInterval: Int??, cause: ChangeCause) async throws -> Account {
        let now = clock.now()
        return try await database.transaction { db in
            guard var account = try await accounts.find(id, on: db) else { throw DomainError.notFound("account") }
            let previous = account
            if let name { account.name = name }
            if let radiusInterimInterval { account.radiusInterimInterval = radiusInterimInterval }
            guard account != previous else { return account }
            try await accounts.save(account, on: db)
            try await events.append([eventFactory.event(.accountUpdated, accountID: account.id, object: AccountResource(account), cause: cause, at: now)], on: db)
            return account
        }
    }

    /// Creates a key for `accountID` and returns it with its secret, which is not kept.
    func createKey(for accountID: AccountID, name: String, scope: APIKey.Scope = .full, cause: ChangeCause) async throws -> (key: APIKey, secret: String) {
        let now = clock.now()
        let id: APIKeyID = ids.make()
        let secret = APIKeySecret.make(for: id)
        let key = APIKey(id: id, accountID: accountID, name: name, redactedSecret: APIKeySecret.redacted(secret), createdAt: now, revokedAt: nil, scope: scope)
        try await database.transaction { db in
            guard try await accounts.find(accountID, on: db) != nil else { throw DomainError.notFound("account", param: "account") }
            try await keys.insert(key, secretHash: APIKeySecret.hash(secret), on: db)
            try await events.append([eventFactory.event(.apiKeyCreated, accountID: accountID, object: APIKeyResource(key), cause: cause, at: now)], on: db)
        }
        return (key, secret)
    }

    /// Revokes a key visible to `visibleAccountID` (all keys for `nil`).
    func revokeKey(_ id: APIKeyID, visibleAccountID: AccountID?, cause: ChangeCause) async throws -> APIKey {
        let now = clock.now()
        return try await database.transaction { db in
            guard let key = try await keys.find(id, accountID: visibleAccountID, on: db) else { throw DomainError.notFound("API key") }
            guard key.revokedAt == nil else { return key }
            if key.scope == .full, try await accounts.find(key.accountID, on: db)?.role == .operator,
               try await keys.activeCount(accountID: key.accountID, scope: .full, on: db) <= 1 {
                throw DomainError(
                    .conflict, code: "last_operator_key",
                    message: "This is the operator's last active key; revoking it would lock everyone out. Create another first (or, on the server, simgate keys create --operator)."
                )
            }
            try await keys.revoke(id, at: now, on: db)
            var revoked = key
            revoked.revokedAt = now
            try await events.append([eventFactory.event(.apiKeyRevoked, accountID: key.accountID, object: APIKeyResource(revoked), cause: cause, at: now)], on: db)
            return revoked
        }
    }

    /// On a database with no operator yet, creates the operator account and a key, and returns
    /// the key's secret so it can be shown once. Returns `nil` when an operator exists.
    func bootstrapOperator(name: String = "Operator") async throws -> String? {
        let now = clock.now()
        let cause = ChangeCause(actor: ChangeActor(.system, id: "bootstrap"), reason: "first start")
        return try await database.transaction { db -> String? in
            guard try await accounts.operatorAccount(on: db) == nil else { return nil }
            let account = Account(id: ids.make(), name: name, role: .operator, createdAt: now)
            let keyID: APIKeyID = ids.make()
            let secret = APIKeySecret.make(for: keyID)
            let key = APIKey(id: keyID, accountID: account.id, name: "operator bootstrap", redactedSecret: APIKeySecret.redacted(secret), createdAt: now, revokedAt: nil)
            try await accounts.insert(account, on: db)
            try await keys.insert(key, secretHash: APIKeySecret.hash(secret), on: db)
            try await events.append([
                eventFactory.event(.accountCreated, accountID: account.id, object: AccountResource(account), cause: cause, at: now),
                eventFactory.event(.apiKeyCreated, accountID: account.id, object: APIKeyResource(key), cause: cause, at: now),
            ], on: db)
            return secret
        }
    }
}

extension AccountOperations {
    /// ``bootstrapOperator(name:)`` safe against a second instance starting at the same moment:
    /// the unique index lets one of them win, and the other finds the operator in place.
    /// The operator's account, if the database has one yet.
    func operatorAccountID() async throws -> AccountID? {
        try await database.read { try await AccountStore().operatorAccount(on: $0)?.id }
    }

    func bootstrapOperatorOnce() async throws -> String? {
        do {
            return try await bootstrapOperator()
        } catch {
            if try await database.read({ try await AccountStore().operatorAccount(on: $0) }) != nil { return nil }
            throw error
        }
    }
}
