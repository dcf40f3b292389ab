import Foundation
import SimGateCore
import SimGateStore

/// The operator's tariffs: creating them, saying which accounts may use them, reading them.
struct TariffService: Sendable {
    /// Where tariffs are kept.
    let store: Store
    /// Stamps creations and changes.
    let clock: any WallClock

    /// Creates a tariff; its number must be new, and every account must exist.
    func create(number: Int, name: String, kind: Tariff.Kind, accounts: Set<AccountID>) async throws -> Tariff {
        let now = clock.now()
        let tariff = Tariff(number: number, name: name, kind: kind, accounts: accounts, createdAt: now, updatedAt: now)
        try await store.transaction { tx in
            try await Self.requireAccounts(accounts, in: tx)
            guard try await tx.tariffs.insert(tariff) else {
                throw DomainError(.conflict, code: "tariff_exists", message: "Tariff \(number) exists already.", param: "number")
            }
        }
        return tariff
    }

    /// Changes a tariff's name or the accounts it is offered to (its number and kind never change).
    func update(_ number: Int, name: String?, accounts: Set<AccountID>?) async throws -> Tariff {
        try await store.transaction { tx in
            guard var tariff = try await tx.tariffs.find(number, forUpdate: true) else { throw DomainError.notFound("tariff") }
            if let name { tariff.name = name }
            if let accounts {
                try await Self.requireAccounts(accounts, in: tx)
                tariff.accounts = accounts
            }
            tariff.updatedAt = clock.now()
            try await tx.tariffs.save(tariff)
            return tariff
        }
    }

    /// The tariff with this number, if `visibleAccountID` (when given) is offered it.
    func find(_ number: Int, visibleAccountID: AccountID?) async throws -> Tariff {
        guard let tariff = try await store.read({ tx in try await tx.tariffs.find(number) }),
              visibleAccountID.map(tariff.isOffered(to:)) ?? true
        else { throw DomainError.notFound("tariff") }
        return tariff
    }

    /// Every tariff (operator), or those offered to `visibleAccountID`.
    func list(visibleAccountID: AccountID?) async throws -> [Tariff] {
        try await store.read { tx in try await tx.tariffs.list(offeredTo: visibleAccountID) }
    }

    private static func requireAccounts(_ accounts: Set<AccountID>, in tx: StoreTransaction) async throws {
        for account in accounts.sorted() where try await tx.accounts.find(account) == nil {
            throw DomainError.notFound("account", param: "accounts")
        }
    }
}
