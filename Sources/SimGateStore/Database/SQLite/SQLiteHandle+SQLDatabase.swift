import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO

/// SQLKit's view of a ``SQLiteHandle``: SQLiteKit's dialect and value coding, with every
/// statement run in place (on its `ThreadExecutor`).
struct SQLiteHandleDatabase: SQLDatabase {
    /// The connection statements run on.
    let handle: SQLiteHandle
    /// Where SQLKit logs.
    let logger: Logger
    /// What the units of work of one group commit read once and share, when this is the
    /// group's connection (see ``SQLiteGroupCommit``).
    var groupReads: KeptReads? = nil

    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
    var dialect: any SQLDialect { SimGateSQLiteDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        do {
            try run(query, onRow)
            return eventLoop.makeSucceededVoidFuture()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try run(query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }

    private func run(_ query: any SQLExpression, _ onRow: (any SQLRow) -> Void) throws {
        // An ``SQLText`` is handed over as it stands: serialised, its text (several kilobytes
        // for a batch's insert) and its binds were copied into the serialiser, about 1% of an
        // accounting update's CPU.
        let (sql, binds) = (query as? SQLText).map { ($0.sql, $0.binds) } ?? serialize(query)
        let encoder = SQLiteDataEncoder()
        try handle.run(sql, try binds.map { try Self.encode($0, with: encoder) }) { onRow(SQLiteHandleRow(row: $0)) }
    }

    /// The common bind types directly; anything else through SQLiteKit's encoder, as before.
    /// The value's type is opened and compared by identity: asking the runtime whether the
    /// value casts to each type in turn (`as?`) cost 5% of a million-SIM import.
    private static func encode<Value: Encodable & Sendable>(_ value: Value, with encoder: SQLiteDataEncoder) throws -> SQLiteData {
        // Each `unsafeBitCast` is from a type to itself, as the comparison before it proves.
        if Value.self == String.self { return .text(unsafeBitCast(value, to: String.self)) }
        if Value.self == Int64.self { return .integer(Int(unsafeBitCast(value, to: Int64.self))) }
        if Value.self == Int.self { return .integer(unsafeBitCast(value, to: Int.self)) }
        if Value.self == NullBind.self { return .null }
        return try encoder.encode(value)
    }
}

/// A row of a ``SQLiteHandleDatabase`` result, read the way SQLiteKit's rows read.
struct SQLiteHandleRow: SQLRow {
    let row: SQLiteResultRow

    var allColumns: [String] { row.names.names }

    func contains(column: String) -> Bool { row.names.position(of: column) != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let value = row.value(column) else { throw MissingSQLiteColumn(column: column) }
        return value == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let value = row.value(column) else { throw MissingSQLiteColumn(column: column) }
        // The column types SimGate reads most, without the generic decoder.
        switch value {
        case .text(let text) where D.self == String.self: return text as! D
        case .integer(let integer) where D.self == Int64.self: return Int64(integer) as! D
        case .integer(let integer) where D.self == Int.self: return integer as! D
        default: return try SQLiteDataDecoder().decode(D.self, from: value)
        }
    }
}

/// A column asked of a row whose result has no such column.
struct MissingSQLiteColumn: Error, CustomStringConvertible {
    let column: String
    var description: String { "no column \(column) in the result" }
}
