import Foundation
import SimGateCore
import SQLKit

/// Reads and writes accounts. Methods take the connection or transaction to run on.
public struct AccountRepository: Sendable {
    /// The connection (inside its transaction) every query here runs on.
    let db: any SQLDatabase
    /// What the unit of work noted, for those who act on it once it commits.
    let record: UnitOfWorkRecord

    /// Stores a new account's id, name, role and creation time (not its interim interval).
    public func insert(_ account: Account) async throws {
        try await db.insert(into: "accounts")
            .columns("id", "name", "role", "created_at")
            .values(SQLBind(account.id.rawValue), SQLBind(account.name), SQLBind(account.role.rawValue), SQLBind(account.createdAt.stored))
            .run()
    }

    /// Writes the fields that can change: the name and the interim interval.
    public func save(_ account: Account) async throws {
        record.note(.credentials)
        try await db.update("accounts")
            .set("name", to: SQLBind(account.name))
            .set("radius_interim_interval", to: SQLBind(account.radiusInterimInterval.map(Int64.init)))
            .where("id", .equal, account.id.rawValue).run()
    }

    /// The account with this id, if there is one.
    public func find(_ id: AccountID) async throws -> Account? {
        try await db.select().column("*").from("accounts").where("id", .equal, id.rawValue).first().map(Self.account)
    }

    /// The installation's operator account, once created.
    public func operatorAccount() async throws -> Account? {
        try await db.select().column("*").from("accounts").where("role", .equal, Account.Role.operator.rawValue)
            .orderBy("id").limit(1).first().map(Self.account)
    }

    /// One page of all accounts, newest first.
    public func list(_ page: PageRequest) async throws -> Page<Account> {
        let rows = try await db.select().column("*").from("accounts").paged(page).all()
        return pageOf(try rows.map(Self.account), request: page)
    }

    /// Reads an `accounts` row; an unknown role is a corrupt row.
    static func account(_ row: any SQLRow) throws -> Account {
        let roleText = try row.string("role")
        guard let role = Account.Role(rawValue: roleText) else {
            throw StoreError.corruptRow(table: "accounts", column: "role", value: roleText)
        }
        return Account(
            id: AccountID(trusted: try row.string("id")), name: try row.string("name"), role: role, createdAt: try row.date("created_at"),
            radiusInterimInterval: try row.optionalInt64("radius_interim_interval").map(Int.init)
        )
    }
}
