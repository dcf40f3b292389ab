import SQLKit

/// A multi-row `INSERT` into one table, written as text with its binds (see ``SQLText``)
/// rather than built with SQLKit's insert builder.
///
/// Every SIM write inserts events, a hold or a billing period, and every accounting batch its
/// sessions, usage records and totals, on the one thread that runs SQLite's writes; building
/// and serialising each of those statements through SQLKit's expression tree cost that thread
/// more than SQLite took to run them. The column list and any trailing clause are written
/// once, when the statement's shape is made.
struct InsertStatement: Sendable {
    /// `INSERT INTO "table" ("a", "b") VALUES `
    private let prefix: String
    /// What follows the rows: `ON CONFLICT ...`, `RETURNING ...`, or nothing.
    private let suffix: String
    private let columnCount: Int

    /// An insert into `table` of `columns`, names written in SimGate's code (never quoted
    /// within, as ``QuotedIdentifier`` checks), followed by `then` (an `ON CONFLICT` or
    /// `RETURNING` clause written the same way) after its rows.
    init(into table: String, columns: [String], then suffix: String = "") {
        prefix = "INSERT INTO \(QuotedIdentifier(table).quoted) (" + columns.map { QuotedIdentifier($0).quoted }.joined(separator: ", ") + ") VALUES "
        self.suffix = suffix.isEmpty ? "" : " " + suffix
        columnCount = columns.count
    }

    /// Inserts `rows`, each row's values in column order (``NullBind`` or ``orNull(_:)`` for
    /// NULL), in one statement.
    func run(_ rows: some Collection<[any Encodable & Sendable]>, on db: any SQLDatabase) async throws {
        try await statement(rows, on: db).query(on: db).run()
    }

    /// Inserts `rows` in statements of the sizes ``BatchShape`` picks for the engine (a few
    /// fixed sizes on SQLite, so each text is parsed once), and returns what their clause
    /// returns.
    @discardableResult
    func runInShapes(_ rows: [[any Encodable & Sendable]], on db: any SQLDatabase) async throws -> [any SQLRow] {
        var returned: [any SQLRow] = []
        for range in BatchShape.rows(rows.count, columns: columnCount, on: db) {
            returned += try await statement(rows[range], on: db).query(on: db).all()
        }
        return returned
    }

    private func statement(_ rows: some Collection<[any Encodable & Sendable]>, on db: any SQLDatabase) -> SQLText {
        var sql = SQLText(for: db)
        sql.append(prefix)
        for (index, row) in rows.enumerated() {
            precondition(row.count == columnCount, "a row of \(row.count) values for \(columnCount) columns")
            if index > 0 { sql.append(", ") }
            sql.bindList(row)
        }
        sql.append(suffix)
        return sql
    }
}
