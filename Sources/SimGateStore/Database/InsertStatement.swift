import SQLKit

/// A multi-row `INSERT` into one table, written as text with its binds rather than built with
/// SQLKit's insert builder.
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

    /// The statement for `rows`, each row's values (binds, or literals such as `NULL`) in
    /// column order.
    func rows(_ rows: some Collection<[any SQLExpression]>) -> SQLQueryString {
        var sql = SQLQueryString(literalCapacity: prefix.utf8.count + rows.count * columnCount * 5, interpolationCount: rows.count * columnCount)
        sql.appendLiteral(prefix)
        for (rowIndex, row) in rows.enumerated() {
            precondition(row.count == columnCount, "a row of \(row.count) values for \(columnCount) columns")
            sql.appendLiteral(rowIndex == 0 ? "(" : ", (")
            for (index, value) in row.enumerated() {
                if index > 0 { sql.appendLiteral(", ") }
                sql.appendInterpolation(value)
            }
            sql.appendLiteral(")")
        }
        return sql
    }
}
