import SQLKit

/// A column name quoted once rather than on every statement.
///
/// SQLKit's `SQLIdentifier` asks the dialect for its quote, casts it, and escapes the name
/// each time a statement is serialised: for a SIM's 25 columns that was a tenth of a SIM
/// write's CPU. Both engines quote identifiers with double quotes, and SimGate's column names
/// never hold one, so the quoted text is fixed.
struct QuotedIdentifier: SQLExpression {
    /// The name with its quotes.
    let quoted: String

    /// `name` quoted; it must not contain a double quote.
    init(_ name: String) {
        precondition(!name.contains("\""), "column names are written without quotes")
        quoted = "\"" + name + "\""
    }

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write(quoted)
    }
}
