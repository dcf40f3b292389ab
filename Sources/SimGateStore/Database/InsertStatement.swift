import SQLKit
import Synchronization

/// A multi-row `INSERT` into one table, written as text with its binds (see ``SQLText``)
/// rather than built with SQLKit's insert builder.
///
/// Every SIM write inserts events, a hold or a billing period, and every accounting batch its
/// sessions, usage records and totals, on the one thread that runs SQLite's writes; building
/// and serialising each of those statements through SQLKit's expression tree cost that thread
/// more than SQLite took to run them. The column list and any trailing clause are written
/// once, when the statement's shape is made, and the whole text of each small row count once,
/// when first used: writing out 64 rows' placeholders for every statement was 8% of the
/// writer's time under accounting load.
struct InsertStatement: Sendable {
    /// Texts are kept for row counts up to this (every size ``BatchShape`` uses on SQLite) and
    /// for ``bulkRows``; other large statements are written each time.
    private static let largestKeptRows = 64
    /// `INSERT INTO "table" ("a", "b") VALUES `
    private let prefix: String
    /// What follows the rows: `ON CONFLICT ...`, `RETURNING ...`, or nothing.
    private let suffix: String
    /// Values in each row: what a caller of ``runInShapes(rowsOf:on:)`` checks its rows by.
    let columnCount: Int
    /// Rows in each of ``runInBulk(_:on:)``'s statements: 1,000, or fewer for a table so wide
    /// that they would pass SQLite's limit of 32,766 binds.
    let bulkRows: Int
    /// Whole texts by row count, and by whether placeholders are numbered.
    private let kept = KeptTexts()

    /// An insert into `table` of `columns`, names written in SimGate's code (never quoted
    /// within, as ``QuotedIdentifier`` checks), followed by `then` (an `ON CONFLICT` or
    /// `RETURNING` clause written the same way) after its rows.
    init(into table: String, columns: [String], then suffix: String = "") {
        prefix = "INSERT INTO \(QuotedIdentifier(table).quoted) (" + columns.map { QuotedIdentifier($0).quoted }.joined(separator: ", ") + ") VALUES "
        self.suffix = suffix.isEmpty ? "" : " " + suffix
        columnCount = columns.count
        bulkRows = min(1_000, 32_766 / max(1, columns.count))
    }

    /// Inserts `rows`, each row's values in column order (``NullBind`` or ``orNull(_:)`` for
    /// NULL), in one statement.
    func run(_ rows: some Collection<[any Encodable & Sendable]>, on db: any SQLDatabase) async throws {
        try await statement(values(of: rows), rows: rows.count, on: db).query(on: db).run()
    }

    /// Inserts `rows` in statements of ``bulkRows`` rows (the last one fewer): a stock import's
    /// SIMs, events and billing periods. The full statement's text is kept like the small
    /// ones', and SQLite keeps it prepared among its large statements: written and parsed
    /// afresh, each of an import's thousand-row statements cost more than running it.
    func runInBulk(_ rows: [[any Encodable & Sendable]], on db: any SQLDatabase) async throws {
        for start in stride(from: 0, to: rows.count, by: bulkRows) {
            try await run(rows[start..<min(start + bulkRows, rows.count)], on: db)
        }
    }

    /// Inserts `rows` in statements of the sizes ``BatchShape`` picks for the engine (a few
    /// fixed sizes on SQLite, so each text is parsed once), and returns what their clause
    /// returns.
    @discardableResult
    func runInShapes(_ rows: [[any Encodable & Sendable]], on db: any SQLDatabase) async throws -> [any SQLRow] {
        try await runInShapes(rowsOf: values(of: rows), on: db)
    }

    /// ``runInShapes(_:on:)`` with every row's values one after another in `values`, each row
    /// in column order. Accounting's writes build their values this way: an array for each
    /// row, made, copied out and freed, was a tenth of what those writes cost in Swift.
    @discardableResult
    func runInShapes(rowsOf values: [any Encodable & Sendable], on db: any SQLDatabase) async throws -> [any SQLRow] {
        precondition(values.count % columnCount == 0, "\(values.count) values for rows of \(columnCount) columns")
        var returned: [any SQLRow] = []
        for range in BatchShape.rows(values.count / columnCount, columns: columnCount, on: db) {
            let slice = range.lowerBound * columnCount..<range.upperBound * columnCount
            // One statement for all of it (nearly always) takes the array as it is.
            let binds = slice.count == values.count ? values : Array(values[slice])
            returned += try await statement(binds, rows: range.count, on: db).query(on: db).all()
        }
        return returned
    }

    /// The rows' values one after another, each row checked for its width.
    private func values(of rows: some Collection<[any Encodable & Sendable]>) -> [any Encodable & Sendable] {
        var values: [any Encodable & Sendable] = []
        values.reserveCapacity(rows.count * columnCount)
        for row in rows {
            precondition(row.count == columnCount, "a row of \(row.count) values for \(columnCount) columns")
            values.append(contentsOf: row)
        }
        return values
    }

    private func statement(_ binds: [any Encodable & Sendable], rows: Int, on db: any SQLDatabase) -> SQLText {
        let numbered = SQLText.numbersPlaceholders(on: db)
        guard rows <= Self.largestKeptRows || rows == bulkRows else {
            return SQLText(text: text(rows: rows, numbered: numbered), binds: binds, numbered: numbered)
        }
        let key = KeptTexts.Key(rows: rows, numbered: numbered)
        let written = kept.texts.withLock { $0[key] } ?? {
            let written = text(rows: rows, numbered: numbered)
            kept.texts.withLock { $0[key] = written }
            return written
        }()
        return SQLText(text: written, binds: binds, numbered: numbered)
    }

    /// The statement's text for `rows` rows: `?` placeholders, or `$1`, `$2`... when `numbered`.
    private func text(rows: Int, numbered: Bool) -> String {
        var sql = prefix
        var placeholder = 0
        for row in 0..<rows {
            sql += row == 0 ? "(" : ", ("
            for column in 0..<columnCount {
                if column > 0 { sql += ", " }
                placeholder += 1
                sql += numbered ? "$\(placeholder)" : "?"
            }
            sql += ")"
        }
        return sql + suffix
    }
}

/// An ``InsertStatement``'s texts, kept by row count; shared by its copies.
private final class KeptTexts: Sendable {
    struct Key: Hashable {
        let rows: Int
        let numbered: Bool
    }

    let texts = Mutex<[Key: String]>([:])
}
