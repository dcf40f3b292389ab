import Foundation
import SimGateCore
import SQLKit

/// Typed column readers that read the same way on SQLite and PostgreSQL.
extension SQLRow {
    /// A TEXT column that must not be NULL.
    func string(_ column: String) throws -> String {
        try decode(column: column, as: String.self)
    }

    /// A TEXT column that may be NULL.
    func optionalString(_ column: String) throws -> String? {
        try decodeNil(column: column) ? nil : try decode(column: column, as: String.self)
    }

    /// An integer column that must not be NULL.
    func int64(_ column: String) throws -> Int64 {
        try decode(column: column, as: Int64.self)
    }

    /// An integer column that may be NULL.
    func optionalInt64(_ column: String) throws -> Int64? {
        try decodeNil(column: column) ? nil : try decode(column: column, as: Int64.self)
    }

    /// An integer column that must not be NULL, as `Int`.
    func int(_ column: String) throws -> Int {
        Int(try int64(column))
    }

    /// A time stored as epoch milliseconds.
    func date(_ column: String) throws -> Date {
        Date(epochMilliseconds: try int64(column))
    }

    /// A time stored as epoch milliseconds, or `nil` for NULL.
    func optionalDate(_ column: String) throws -> Date? {
        try optionalInt64(column).map(Date.init(epochMilliseconds:))
    }

    /// A change's actor, stored in `<prefix>actor_kind` and `<prefix>actor_id`.
    func changeActor(prefix: String = "") throws -> ChangeActor {
        let kindText = try string(prefix + "actor_kind")
        guard let kind = ChangeActor.Kind(rawValue: kindText) else {
            throw StoreError.corruptRow(table: "?", column: prefix + "actor_kind", value: kindText)
        }
        return ChangeActor(kind, id: try optionalString(prefix + "actor_id"))
    }
}

extension Date {
    /// The stored form, as a bind value.
    var stored: Int64 { epochMilliseconds }
}
