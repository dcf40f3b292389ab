import Foundation
import SimGateCore
import SQLKit

/// A closed month's statement as it was frozen: its summary and its lines as the JSON the
/// API shows, so that it reads the same whenever asked.
public struct FrozenStatement: Sendable, Equatable {
    /// The summary's JSON (everything but the lines).
    public let summary: String
    /// When it was frozen.
    public let frozenAt: Date
}

/// Frozen statements and their lines.
public struct StatementRepository: Sendable {
    /// Line rows per INSERT: 4 columns each.
    private static let rowsPerInsert = 1_000

    /// The connection (inside its transaction) every query here runs on.
    let db: any SQLDatabase

    /// The account's frozen statement for `month`, if it has been frozen.
    public func frozen(accountID: AccountID, month: BillingMonth) async throws -> FrozenStatement? {
        try await db.select().columns("summary", "frozen_at").from("statements")
            .where("account_id", .equal, accountID.rawValue).where("month", .equal, month.description).first()
            .map { FrozenStatement(summary: try $0.string("summary"), frozenAt: try $0.date("frozen_at")) }
    }

    /// Up to `limit` lines of a frozen statement after the line `after`, in line order.
    public func lines(accountID: AccountID, month: BillingMonth, after: String?, limit: Int) async throws -> [(id: String, body: String)] {
        var select = db.select().columns("line_id", "body").from("statement_lines")
            .where("account_id", .equal, accountID.rawValue).where("month", .equal, month.description)
        if let after { select = select.where("line_id", .greaterThan, after) }
        return try await select.orderBy("line_id").limit(limit).all().map { (try $0.string("line_id"), try $0.string("body")) }
    }

    /// Freezes a statement with its lines; `false` (and nothing written) when another writer
    /// froze it first, whose copy then stands.
    public func freeze(accountID: AccountID, month: BillingMonth, summary: String, lines: [(id: String, body: String)], at time: Date) async throws -> Bool {
        let inserted = try await db.insert(into: "statements").columns("account_id", "month", "summary", "frozen_at")
            .values(SQLBind(accountID.rawValue), SQLBind(month.description), SQLBind(summary), SQLBind(time.stored))
            .ignoringConflicts(with: ["account_id", "month"]).returning(SQLColumn("month")).all()
        guard !inserted.isEmpty else { return false }
        for start in stride(from: 0, to: lines.count, by: Self.rowsPerInsert) {
            var insert = db.insert(into: "statement_lines").columns("account_id", "month", "line_id", "body")
            for line in lines[start..<min(start + Self.rowsPerInsert, lines.count)] {
                insert = insert.values(SQLBind(accountID.rawValue), SQLBind(month.description), SQLBind(line.id), SQLBind(line.body))
            }
            try await insert.run()
        }
        return true
    }

    /// Of `accounts`, those whose statement for `month` is frozen.
    public func frozenAccounts(month: BillingMonth) async throws -> Set<AccountID> {
        Set(try await db.select().column("account_id").from("statements").where("month", .equal, month.description).all()
            .map { AccountID(trusted: try $0.string("account_id")) })
    }
}
