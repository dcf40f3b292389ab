import Foundation
import SimGateCore
import SQLKit

/// Reads and writes tariffs and the accounts each is offered to.
public struct TariffRepository: Sendable {
    /// The connection (inside its transaction) every query here runs on.
    let db: any SQLDatabase

    /// Stores a new tariff; `false` when its number is taken (nothing changes then).
    public func insert(_ tariff: Tariff) async throws -> Bool {
        let inserted = try await db.insert(into: "tariffs").columns("number", "name", "kind", "created_at", "updated_at")
            .values(SQLBind(Int64(tariff.number)), SQLBind(tariff.name), SQLBind(tariff.kind.rawValue), SQLBind(tariff.createdAt.stored), SQLBind(tariff.updatedAt.stored))
            .ignoringConflicts().returning(SQLColumn("number")).all()
        guard !inserted.isEmpty else { return false }
        try await insertAccounts(tariff.accounts, of: tariff.number)
        return true
    }

    /// Writes a tariff's name and accounts.
    public func save(_ tariff: Tariff) async throws {
        try await db.update("tariffs").set("name", to: SQLBind(tariff.name)).set("updated_at", to: SQLBind(tariff.updatedAt.stored))
            .where("number", .equal, Int64(tariff.number)).run()
        try await db.delete(from: "tariff_accounts").where("tariff_number", .equal, Int64(tariff.number)).run()
        try await insertAccounts(tariff.accounts, of: tariff.number)
    }

    /// The tariff with this number, if there is one; with `forUpdate`, locked until the unit
    /// of work ends (PostgreSQL; SQLite's write transaction already is).
    public func find(_ number: Int, forUpdate: Bool = false) async throws -> Tariff? {
        try await tariffs { query in
            let query = query.where("number", .equal, Int64(number))
            return forUpdate && db.dialect.name == "postgresql" ? query.for(.update) : query
        }.first
    }

    /// Every tariff (the operator's view), or those offered to `accountID`, by number.
    public func list(offeredTo accountID: AccountID?) async throws -> [Tariff] {
        try await tariffs { query in
            guard let accountID else { return query }
            return query.where(SQLColumn("number"), .in, SQLGroupExpression(
                db.select().column("tariff_number").from("tariff_accounts").where("account_id", .equal, accountID.rawValue).query
            ))
        }
    }

    private func tariffs(_ refine: (SQLSelectBuilder) -> SQLSelectBuilder) async throws -> [Tariff] {
        let rows = try await refine(db.select().column("*").from("tariffs")).orderBy("number").limit(1_000).all()
        guard !rows.isEmpty else { return [] }
        let numbers = try rows.map { try $0.int64("number") }
        var accounts: [Int64: Set<AccountID>] = [:]
        for row in try await db.select().columns("tariff_number", "account_id").from("tariff_accounts").where("tariff_number", .in, numbers).all() {
            accounts[try row.int64("tariff_number"), default: []].insert(AccountID(trusted: try row.string("account_id")))
        }
        return try rows.map { row in
            let kindText = try row.string("kind")
            guard let kind = Tariff.Kind(rawValue: kindText) else { throw StoreError.corruptRow(table: "tariffs", column: "kind", value: kindText) }
            let number = try row.int64("number")
            return Tariff(
                number: Int(number), name: try row.string("name"), kind: kind, accounts: accounts[number] ?? [],
                createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at")
            )
        }
    }

    private func insertAccounts(_ accounts: Set<AccountID>, of number: Int) async throws {
        guard !accounts.isEmpty else { return }
        var insert = db.insert(into: "tariff_accounts").columns("tariff_number", "account_id")
        for account in accounts.sorted() { insert = insert.values(SQLBind(Int64(number)), SQLBind(account.rawValue)) }
        try await insert.run()
    }
}
