import Foundation
import SimGateTestSupport
@testable import SimGateStore
import SQLKit
import Testing

/// A SQLite row's values are read by column name: the first column of that name, whatever
/// other names share its length, and none for a name the result lacks.
@Suite("SQLite columns read by name")
struct SQLiteColumnNameTests {
    @Test("names of one length, a repeated name, names beyond ASCII, a missing name; in a narrow result and a wide one")
    func readByName() async throws {
        try await TestDatabase.with(.sqlite) { database in
            try await database.sqlRead { db in
                // Equal lengths (started_at, stopped_at, updated_at), a repeated name (the first
                // wins), and two names whose UTF-8 is longer than their characters.
                let narrow = try #require(try await db.raw("""
                    SELECT 'a' AS started_at, 'b' AS stopped_at, 'c' AS updated_at, 'd' AS stopped_at, 'e' AS "pays_é", 'f' AS "pays_e"
                    """).first())
                #expect(try narrow.decode(column: "started_at", as: String.self) == "a")
                #expect(try narrow.decode(column: "stopped_at", as: String.self) == "b")
                #expect(try narrow.decode(column: "updated_at", as: String.self) == "c")
                #expect(try narrow.decode(column: "pays_é", as: String.self) == "e")
                #expect(try narrow.decode(column: "pays_e", as: String.self) == "f")
                #expect(!narrow.contains(column: "ended_at_"), "a name of the same length that is not there")
                #expect(throws: (any Error).self) { try narrow.decode(column: "paused_at", as: String.self) }

                // Wider than the results searched in order: found through the map of names.
                let columns = (0..<30).map { "'v\($0)' AS c\($0 % 10)_\($0)" } + ["'first' AS dup", "'second' AS dup"]
                let wide = try #require(try await db.raw(SQLQueryString("SELECT " + columns.joined(separator: ", "))).first())
                #expect(try wide.decode(column: "c7_27", as: String.self) == "v27")
                #expect(try wide.decode(column: "dup", as: String.self) == "first")
                #expect(!wide.contains(column: "c7_28"))
            }
        }
    }
}
