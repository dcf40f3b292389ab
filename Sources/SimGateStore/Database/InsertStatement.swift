import SQLKit

/// A multi-row `INSERT` into one table, written as text with its binds (see ``SQLText``)
/// rather than built with SQLKit's insert builder.
///
/// Every SIM write inserts events, a hold or a billing period, on the one thread that runs
/// SQLite's writes; building and serialising each of those statements through SQLKit's
/// expression tree cost that thread more than SQLite took to run them. The column list is
/// written once, when the statement's shape is made.
struct InsertStatement: Sendable {
    /// `INSERT INTO "table" ("a", "b") VALUES `
    private let prefix: String
    private let columnCount: Int

    /// An insert into `table` of `columns`, names written in SimGate's code (never quoted
    /// within, as ``QuotedIdentifier`` checks).
    init(into table: String, columns: [String]) {
        prefix = "INSERT INTO \(QuotedIdentifier(table).quoted) (" + columns.map { QuotedIdentifier($0).quoted }.joined(separator: ", ") + ") VALUES "
        columnCount = columns.count
    }

    /// Inserts `rows`, each row's values in column order (``NullBind`` or ``orNull(_:)`` for
    /// NULL), in one statement.
    func run(_ rows: some Collection<[any Encodable & Sendable]>, on db: any SQLDatabase) async throws {
        var sql = SQLText(for: db)
        sql.append(prefix)
        for (index, row) in rows.enumerated() {
            precondition(row.count == columnCount, "a row of \(row.count) values for \(columnCount) columns")
            if index > 0 { sql.append(", ") }
            sql.bindList(row)
        }
        try await sql.query(on: db).run()
    }
}
