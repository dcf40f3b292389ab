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

    /// Sets what the tariff costs from `request.effectiveFrom` (now when left out) on. A price
    /// may not start in a month that has ended: statements of ended months never change.
    func setPrice(_ number: Int, _ request: TariffPriceRequest) async throws -> TariffPrice {
        let now = clock.now()
        let effectiveFrom = (request.effectiveFrom ?? now).roundedToMilliseconds
        guard effectiveFrom >= Self.startOfMonth(now) else {
            throw DomainError(.invalid, code: "effective_from_in_closed_month",
                              message: "A price cannot start before this month: the statements of ended months are final.", param: "effective_from")
        }
        return try await store.transaction { tx in
            guard let tariff = try await tx.tariffs.find(number, forUpdate: true) else { throw DomainError.notFound("tariff") }
            if tariff.kind == .standard, request.bundlePrice != nil || request.topUpPricePerMB != nil {
                throw DomainError(.invalid, code: "aofu_only", message: "Bundle and top-up prices are for AOFU tariffs.",
                                  param: request.bundlePrice != nil ? "bundle_price" : "top_up_price_per_mb")
            }
            let price = TariffPrice(
                tariffNumber: number, effectiveFrom: effectiveFrom, currency: request.currency, monthlyFees: request.monthlyFees,
                includedBytes: UInt64(request.includedMB) * DataBundle.bytesPerMegabyte, dataPricePerMB: request.dataPricePerMB,
                dataPooled: request.dataPooled, bundlePrice: request.bundlePrice, topUpPricePerMB: request.topUpPricePerMB, createdAt: now
            )
            if let other = try await tx.tariffs.prices(of: number).first, other.currency != price.currency {
                throw DomainError(.invalid, code: "currency_changed", message: "Tariff \(number) is priced in \(other.currency); a tariff keeps one currency.", param: "currency")
            }
            guard try await tx.tariffs.insertPrice(price) else {
                throw DomainError(.conflict, code: "price_exists", message: "Tariff \(number) already has a price from that instant.", param: "effective_from")
            }
            return price
        }
    }

    /// Every price the tariff has had, oldest first, if `visibleAccountID` (when given) is offered it.
    func prices(_ number: Int, visibleAccountID: AccountID?) async throws -> [TariffPrice] {
        let tariff = try await find(number, visibleAccountID: visibleAccountID)
        return try await store.read { tx in try await tx.tariffs.prices(of: tariff.number) }
    }

    /// The first instant of `time`'s UTC month.
    private static func startOfMonth(_ time: Date) -> Date {
        Calendar.utc.date(from: Calendar.utc.dateComponents([.year, .month], from: time)) ?? time
    }

    private static func requireAccounts(_ accounts: Set<AccountID>, in tx: StoreTransaction) async throws {
        for account in accounts.sorted() where try await tx.accounts.find(account) == nil {
            throw DomainError.notFound("account", param: "accounts")
        }
    }
}
