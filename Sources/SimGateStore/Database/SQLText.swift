import SQLKit

/// A statement written as text with its binds, handed to the engine as it stands.
///
/// Accounting writes a batch of reports with a few multi-row statements. Built with SQLKit's
/// builders, every value became an expression serialised through the dialect, and that was a
/// fifth of the SQLite writer's time under accounting load, about as much as SQLite took to
/// run the statements. Here the text is appended once and the binds are passed on in order.
///
/// Only names written in SimGate's code go into the text (see ``QuotedIdentifier``); every
/// value is a bind.
struct SQLText: SQLExpression {
    private(set) var sql = ""
    private(set) var binds: [any Encodable & Sendable] = []
    /// PostgreSQL numbers its placeholders (`$1`); SQLite takes `?` in order.
    private let numbered: Bool

    /// An empty statement for `db`'s engine.
    init(for db: any SQLDatabase) {
        numbered = Self.numbersPlaceholders(on: db)
    }

    /// A statement whose text, placeholders included, is written already, with its binds in order.
    init(text: String, binds: [any Encodable & Sendable], numbered: Bool) {
        sql = text
        self.binds = binds
        self.numbered = numbered
    }

    /// Whether `db`'s engine numbers its placeholders (`$1`) rather than taking `?` in order.
    static func numbersPlaceholders(on db: any SQLDatabase) -> Bool {
        db.dialect.name == "postgresql"
    }

    /// Appends text as written.
    mutating func append(_ text: String) {
        sql += text
    }

    /// Appends a placeholder and its value.
    mutating func bind(_ value: any Encodable & Sendable) {
        binds.append(value)
        if numbered {
            sql += "$"
            sql += String(binds.count)
        } else {
            sql += "?"
        }
    }

    /// Appends `(?, ?, ...)` bound to `values`, for an `IN` list or a row of `VALUES`.
    mutating func bindList(_ values: [any Encodable & Sendable]) {
        sql += "("
        for (index, value) in values.enumerated() {
            if index > 0 { sql += ", " }
            bind(value)
        }
        sql += ")"
    }

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write(sql)
        serializer.binds += binds
    }
}

/// `value` as a bind, or SQL NULL (``NullBind``) when it is `nil`.
func orNull<Value: Encodable & Sendable>(_ value: Value?) -> any Encodable & Sendable {
    if let value { return value }
    return NullBind()
}

/// SQL NULL as a bind, so that a statement's text stays the same whichever values are
/// missing (and SQLite reuses the statement it prepared for that text).
struct NullBind: Encodable, Sendable {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encodeNil()
    }
}

extension SQLText {
    /// The statement on `db`, to `run()` or fetch with `all()`.
    func query(on db: any SQLDatabase) -> SQLTextQuery {
        SQLTextQuery(query: self, database: db)
    }
}

/// An ``SQLText`` with the database it runs on, fetched like any SQLKit query.
final class SQLTextQuery: SQLQueryFetcher {
    let query: any SQLExpression
    let database: any SQLDatabase

    init(query: SQLText, database: any SQLDatabase) {
        self.query = query
        self.database = database
    }
}
