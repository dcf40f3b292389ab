import Foundation
import SimGateCore
import SimGateStore

/// Creating accounts and their API keys, including the operator's first key.
struct AccountService: Sendable {
    /// Where accounts, keys and their events are kept.
    let store: Store
    /// The time stamped on new accounts, keys and events.
    let clock: any WallClock
    /// Makes the ids of new accounts, keys and events.
    let ids: IdentifierGenerator

    private var eventFactory: EventFactory { EventFactory(ids: ids) }

    /// Creates a customer account.
    func createCustomer(name: String, cause: ChangeCause) async throws -> Account {
        let now = clock.now()
        let account = Account(id: ids.make(), name: name, role: .customer, createdAt: now)
        try await store.transaction { tx in
            try await tx.accounts.insert(account)
            try await tx.events.append([eventFactory.event(.accountCreated, accountID: account.id, object: AccountResource(account), cause: cause, at: now)])
        }
        return account
    }

    /// Changes an account's name or interim interval, with an `account.updated` event.
    func update(_ id: AccountID, name: String?, radiusInterimInterval: Int??, cause: ChangeCause) async throws -> Account {
        let now = clock.now()
        return try await store.transaction { tx in
            guard var account = try await tx.accounts.find(id) else { throw DomainError.notFound("account") }
            let previous = account
            if let name { account.name = name }
            if let radiusInterimInterval { account.radiusInterimInterval = radiusInterimInterval }
            guard account != previous else { return account }
            try await tx.accounts.save(account)
            try await tx.events.append([eventFactory.event(.accountUpdated, accountID: account.id, object: AccountResource(account), cause: cause, at: now)])
            return account
        }
    }

    /// Creates a key for `accountID` and returns it with its secret, which is not kept.
    func createKey(for accountID: AccountID, name: String, scope: APIKey.Scope = .full, cause: ChangeCause) async throws -> (key: APIKey, secret: String) {
        let now = clock.now()
        let id: APIKeyID = ids.make()
        let secret = APIKeySecret.make(for: id)
        let key = APIKey(id: id, accountID: accountID, name: name, redactedSecret: APIKeySecret.redacted(secret), createdAt: now, revokedAt: nil, scope: scope)
        try await store.transaction { tx in
            guard try await tx.accounts.find(accountID) != nil else { throw DomainError.notFound("account", param: "account") }
            try await tx.apiKeys.insert(key, secretHash: APIKeySecret.hash(secret))
            try await tx.events.append([eventFactory.event(.apiKeyCreated, accountID: accountID, object: APIKeyResource(key), cause: cause, at: now)])
        }
        return (key, secret)
    }

    /// Revokes a key visible to `visibleAccountID` (all keys for `nil`).
    func revokeKey(_ id: APIKeyID, visibleAccountID: AccountID?, cause: ChangeCause) async throws -> APIKey {
        let now = clock.now()
        return try await store.transaction { tx in
            guard let key = try await tx.apiKeys.find(id, accountID: visibleAccountID) else { throw DomainError.notFound("API key") }
            guard key.revokedAt == nil else { return key }
            if key.scope == .full, try await tx.accounts.find(key.accountID)?.role == .operator,
               try await tx.apiKeys.activeCount(accountID: key.accountID, scope: .full) <= 1 {
                throw DomainError(
                    .conflict, code: "last_operator_key",
                    message: "This is the operator's last active key; revoking it would lock everyone out. Create another first (or, on the server, simgate keys create --operator)."
                )
            }
            try await tx.apiKeys.revoke(id, at: now)
            var revoked = key
            revoked.revokedAt = now
            try await tx.events.append([eventFactory.event(.apiKeyRevoked, accountID: key.accountID, object: APIKeyResource(revoked), cause: cause, at: now)])
            return revoked
        }
    }

    /// On a database with no operator yet, creates the operator account and a key, and returns
    /// the key's secret so it can be shown once. Returns `nil` when an operator exists.
    func bootstrapOperator(name: String = "Operator") async throws -> String? {
        let now = clock.now()
        let cause = ChangeCause(actor: ChangeActor(.system, id: "bootstrap"), reason: "first start")
        return try await store.transaction { tx -> String? in
            guard try await tx.accounts.operatorAccount() == nil else { return nil }
            let account = Account(id: ids.make(), name: name, role: .operator, createdAt: now)
            let keyID: APIKeyID = ids.make()
            let secret = APIKeySecret.make(for: keyID)
            let key = APIKey(id: keyID, accountID: account.id, name: "operator bootstrap", redactedSecret: APIKeySecret.redacted(secret), createdAt: now, revokedAt: nil)
            try await tx.accounts.insert(account)
            try await tx.apiKeys.insert(key, secretHash: APIKeySecret.hash(secret))
            try await tx.events.append([
                eventFactory.event(.accountCreated, accountID: account.id, object: AccountResource(account), cause: cause, at: now),
                eventFactory.event(.apiKeyCreated, accountID: account.id, object: APIKeyResource(key), cause: cause, at: now),
            ])
            return secret
        }
    }
}

extension AccountService {
    /// The operator's account, if the database has one yet.
    func operatorAccountID() async throws -> AccountID? {
        try await store.read { tx in try await tx.accounts.operatorAccount()?.id }
    }

    /// ``bootstrapOperator(name:)`` safe against a second instance starting at the same moment:
    /// the unique index lets one of them win, and the other finds the operator in place.
    func bootstrapOperatorOnce() async throws -> String? {
        do {
            return try await bootstrapOperator()
        } catch {
            if try await store.read({ tx in try await tx.accounts.operatorAccount() }) != nil { return nil }
            throw error
        }
    }

    /// One page of every account (the operator's view).
    func list(_ page: PageRequest) async throws -> Page<Account> {
        try await store.read { tx in try await tx.accounts.list(page) }
    }

    /// The account with this id, if there is one.
    func find(_ id: AccountID) async throws -> Account? {
        try await store.read { tx in try await tx.accounts.find(id) }
    }

    /// One page of the keys of `accountID` (every account's for `nil`).
    func listKeys(accountID: AccountID?, _ page: PageRequest) async throws -> Page<APIKey> {
        try await store.read { tx in try await tx.apiKeys.list(accountID: accountID, page) }
    }

    /// The key with this id, if `visibleAccountID` (when given) owns it.
    func findKey(_ id: APIKeyID, visibleAccountID: AccountID?) async throws -> APIKey? {
        try await store.read { tx in try await tx.apiKeys.find(id, accountID: visibleAccountID) }
    }
}
