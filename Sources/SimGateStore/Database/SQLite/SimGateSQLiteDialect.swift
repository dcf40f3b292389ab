import SQLKit
import SQLiteKit

/// SQLiteKit's dialect, with two of its costs taken out of every statement SimGate builds.
///
/// - Identifiers are quoted without being searched for a quote to double. SQLKit escapes every
///   table and column name as it serialises a statement, and on the writer's thread that was
///   a tenth of a SIM suspension. SimGate's identifiers are all names written in its code
///   (never anything a client sent), and none holds a double quote; ``QuotedIdentifier``
///   makes the same assumption and checks it.
/// - Bind placeholders (`?1`, `?2`...) are made once rather than formatted per value.
///
/// Everything else is SQLiteKit's answer.
struct SimGateSQLiteDialect: SQLDialect {
    private static let base = SQLiteDialect()
    /// `?1` to `?256`, at their position minus one; SQLKit counts binds from 1.
    private static let placeholders: [any SQLExpression] = (1...256).map { SQLRaw("?\($0)") }

    var name: String { Self.base.name }
    var identifierQuote: any SQLExpression { UnescapedDoubleQuote() }
    var literalStringQuote: any SQLExpression { Self.base.literalStringQuote }

    func bindPlaceholder(at position: Int) -> any SQLExpression {
        Self.placeholders.indices.contains(position - 1) ? Self.placeholders[position - 1] : Self.base.bindPlaceholder(at: position)
    }

    func literalBoolean(_ value: Bool) -> any SQLExpression { Self.base.literalBoolean(value) }
    var literalDefault: any SQLExpression { Self.base.literalDefault }
    var supportsIfExists: Bool { Self.base.supportsIfExists }
    var supportsDropBehavior: Bool { Self.base.supportsDropBehavior }
    var supportsAutoIncrement: Bool { Self.base.supportsAutoIncrement }
    var autoIncrementClause: any SQLExpression { Self.base.autoIncrementClause }
    var autoIncrementFunction: (any SQLExpression)? { Self.base.autoIncrementFunction }
    var enumSyntax: SQLEnumSyntax { Self.base.enumSyntax }
    var triggerSyntax: SQLTriggerSyntax { Self.base.triggerSyntax }
    var alterTableSyntax: SQLAlterTableSyntax { Self.base.alterTableSyntax }
    var upsertSyntax: SQLUpsertSyntax { Self.base.upsertSyntax }
    var supportsReturning: Bool { Self.base.supportsReturning }
    var unionFeatures: SQLUnionFeatures { Self.base.unionFeatures }
    var sharedSelectLockExpression: (any SQLExpression)? { Self.base.sharedSelectLockExpression }
    var exclusiveSelectLockExpression: (any SQLExpression)? { Self.base.exclusiveSelectLockExpression }

    func customDataType(for dataType: SQLDataType) -> (any SQLExpression)? { Self.base.customDataType(for: dataType) }

    func normalizeSQLConstraint(identifier: any SQLExpression) -> any SQLExpression {
        Self.base.normalizeSQLConstraint(identifier: identifier)
    }

    func nestedSubpathExpression(in column: any SQLExpression, for path: [String]) -> (any SQLExpression)? {
        Self.base.nestedSubpathExpression(in: column, for: path)
    }
}

/// The double quote around an identifier. Not an `SQLRaw`, which is what makes SQLKit write
/// the name between two of them as it is.
private struct UnescapedDoubleQuote: SQLExpression {
    func serialize(to serializer: inout SQLSerializer) {
        serializer.write("\"")
    }
}
