import Foundation
import SimGateTestSupport
@testable import SimGateStore
import SQLKit
import Testing

/// SQLite binds: the common types (text, 64-bit and native integers, ``NullBind``) are told
/// apart by their type and bound directly; every other value goes through SQLiteKit's
/// encoder. Each must land as the value and storage class it is.
@Suite("SQLite binds")
struct SQLiteBindTests {
    @Test("every kind of bind is stored as its own value and type: text, integers at their limits, NULL, optionals, Bool, Double")
    func bindsLandAsTheirValues() async throws {
        let cases: [(bind: any Encodable & Sendable, type: String, text: String?)] = [
            ("SIM 8988", "text", "SIM 8988"),
            ("", "text", ""),
            (String(repeating: "é", count: 40), "text", String(repeating: "é", count: 40)),
            (Int64.max, "integer", "9223372036854775807"),
            (Int64.min, "integer", "-9223372036854775808"),
            (Int.max, "integer", "9223372036854775807"),
            (-1, "integer", "-1"),
            (NullBind(), "null", nil),
            (Optional("wrapped"), "text", "wrapped"),
            (String?.none, "null", nil),
            (Int64?.some(42), "integer", "42"),
            (true, "integer", "1"),
            (Int32(-7), "integer", "-7"),
            (2.5, "real", "2.5"),
        ]
        try await TestDatabase.with(.sqlite) { database in
            try await database.sqlTransaction { db in
                try await db.raw("CREATE TABLE bind_probe (position BIGINT NOT NULL, value ANY)").run()
                for (position, probe) in cases.enumerated() {
                    var insert = SQLText(for: db)
                    insert.append("INSERT INTO bind_probe (position, value) VALUES (")
                    insert.bind(Int64(position))
                    insert.append(", ")
                    insert.bind(probe.bind)
                    insert.append(")")
                    try await insert.query(on: db).run()
                }
            }
            let stored = try await database.sqlRead { db in
                try await db.raw("SELECT typeof(value) AS kind, CAST(value AS TEXT) AS text FROM bind_probe ORDER BY position").all().map { row in
                    "\(try row.string("kind")):\(try row.optionalString("text") ?? "-")"
                }
            }
            #expect(stored == cases.map { "\($0.type):\($0.text ?? "-")" })
        }
    }
}
