import Foundation
import SimGateCore
import SQLKit

/// A closed month's statement as it was frozen: its summary as the JSON the API shows, and
/// the freeze whose lines belong to it.
public struct FrozenStatement: Sendable, Equatable {
    /// The summary's JSON (everything but the lines).
    public let summary: String
    /// The freeze that wrote it; its lines carry the same id.
    public let freezeID: String
    /// When it was frozen.
    public let frozenAt: Date
}

/// One line of a frozen statement: its id, its JSON and its CSV row.
public struct FrozenLine: Sendable, Equatable {
    /// The line's id, which orders the lines.
    public let id: String
    /// The line as the API's JSON shows it.
    public let body: String
    /// The line as a row of the statement's CSV, without the line end.
    public let csvRow: String

    /// A line with every part given.
    public init(id: String, body: String, csvRow: String) {
        self.id = id
        self.body = body
        self.csvRow = csvRow
    }
}

/// Frozen statements and their lines.
public struct StatementRepository: Sendable {
    /// Line rows per INSERT: 6 columns each.
    private static let rowsPerInsert = 1_000

    /// The connection (inside its transaction) every query here runs on.
    let db: any SQLDatabase

    /// The account's frozen statement for `month`, if it has been frozen.
    public func frozen(accountID: AccountID, month: BillingMonth) async throws -> FrozenStatement? {
        try await db.select().columns("summary", "freeze_id", "frozen_at").from("statements")
            .where("account_id", .equal, accountID.rawValue).where("month", .equal, month.description).first()
            .map { FrozenStatement(summary: try $0.string("summary"), freezeID: try $0.string("freeze_id"), frozenAt: try $0.date("frozen_at")) }
    }

    /// Up to `limit` lines of a frozen statement after the line `after` (or from the line `from` on), in line order.
    public func lines(of statement: FrozenStatement, accountID: AccountID, month: BillingMonth, after: String?, from: String? = nil, limit: Int) async throws -> [FrozenLine] {
        var select = db.select().columns("line_id", "body", "csv_row").from("statement_lines")
            .where("account_id", .equal, accountID.rawValue).where("month", .equal, month.description).where("freeze_id", .equal, statement.freezeID)
        if let after { select = select.where("line_id", .greaterThan, after) }
        if let from { select = select.where("line_id", .greaterThanOrEqual, from) }
        return try await select.orderBy("line_id").limit(limit).all().map {
            FrozenLine(id: try $0.string("line_id"), body: try $0.string("body"), csvRow: try $0.string("csv_row"))
        }
    }

    /// Writes lines of a freeze that has not stored its summary yet; nobody reads them until it does.
    public func insertLines(_ lines: [FrozenLine], accountID: AccountID, month: BillingMonth, freezeID: String) async throws {
        for start in stride(from: 0, to: lines.count, by: Self.rowsPerInsert) {
            var insert = db.insert(into: "statement_lines").columns("account_id", "month", "freeze_id", "line_id", "body", "csv_row")
            for line in lines[start..<min(start + Self.rowsPerInsert, lines.count)] {
                insert = insert.values(
                    SQLBind(accountID.rawValue), SQLBind(month.description), SQLBind(freezeID), SQLBind(line.id), SQLBind(line.body), SQLBind(line.csvRow)
                )
            }
            try await insert.run()
        }
    }

    /// Stores the summary that makes a freeze's lines the statement's; `false` (nothing
    /// written) when another freeze stored its summary first, whose copy then stands.
    public func freeze(accountID: AccountID, month: BillingMonth, freezeID: String, summary: String, at time: Date) async throws -> Bool {
        let inserted = try await db.insert(into: "statements").columns("account_id", "month", "summary", "freeze_id", "frozen_at")
            .values(SQLBind(accountID.rawValue), SQLBind(month.description), SQLBind(summary), SQLBind(freezeID), SQLBind(time.stored))
            .ignoringConflicts(with: ["account_id", "month"]).returning(SQLColumn("month")).all()
        return !inserted.isEmpty
    }

    /// Removes the lines of a freeze unless its summary was stored (it lost, or failed).
    public func deleteLines(accountID: AccountID, month: BillingMonth, freezeID: String) async throws {
        try await db.raw("""
            DELETE FROM statement_lines WHERE account_id = \(bind: accountID.rawValue) AND month = \(bind: month.description)
                AND freeze_id = \(bind: freezeID) AND NOT EXISTS (
                    SELECT 1 FROM statements s WHERE s.account_id = \(bind: accountID.rawValue) AND s.month = \(bind: month.description) AND s.freeze_id = \(bind: freezeID))
            """).run()
    }

    /// Removes lines that other freezes of the month left (a crash between their units of
    /// work): once a summary is stored, no line of another freeze can ever be read.
    public func deleteLines(accountID: AccountID, month: BillingMonth, otherThan freezeID: String) async throws {
        try await db.delete(from: "statement_lines").where("account_id", .equal, accountID.rawValue)
            .where("month", .equal, month.description).where("freeze_id", .notEqual, freezeID).run()
    }

    /// When SimGate began keeping SIM periods (the migration that made statements), if it has.
    public func keptSince() async throws -> Date? {
        try await db.raw("SELECT applied_at FROM schema_migrations WHERE version = 13").first().map { try $0.date("applied_at") }
    }

    /// The accounts whose statement for `month` is frozen.
    public func frozenAccounts(month: BillingMonth) async throws -> Set<AccountID> {
        Set(try await db.select().column("account_id").from("statements").where("month", .equal, month.description).all()
            .map { AccountID(trusted: try $0.string("account_id")) })
    }
}
