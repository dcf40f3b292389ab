import Foundation
import NIOCore
@testable import SimGateStore
import SQLiteNIO
import SimGateTestSupport
import Testing

/// A kept SQLite statement is reused as prepared: binding new values must not make SQLite
/// plan it again, and a reuse must never see values from the run before.
@Suite("SQLite statements reused without re-planning")
struct StatementReuseTests {
    private static func withHandle(_ body: (SQLiteHandle) async throws -> Void) async throws {
        let path = TestScratch.path("reuse.sqlite")
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let handle = try await SQLiteHandle.open(path: path, name: "reuse-test")
        defer {
            handle.close()
            handle.stopThread()
        }
        try await body(handle)
    }

    private static func texts(_ handle: SQLiteHandle, _ sql: String, _ binds: [SQLiteData]) throws -> [[String?]] {
        var rows: [[String?]] = []
        try handle.run(sql, binds) { row in
            rows.append(row.values.map { value in
                switch value {
                case .text(let text): text
                case .integer(let integer): String(integer)
                default: nil
                }
            })
        }
        return rows
    }

    /// The shape of the billing read of GET /v1/sims/{id}: SQLite's planner looks at the bound
    /// value of `sim_id = ?`, and before the fix planned it again on every run.
    private static let bindingsLookup = "SELECT id FROM bindings WHERE sim_id = ?1 ORDER BY id ASC"

    /// The table ``bindingsLookup`` reads, indexed by SIM, holding `rows` (SQL values).
    private static func makeBindings(_ handle: SQLiteHandle, rows: String) throws {
        try handle.run("CREATE TABLE bindings (id TEXT PRIMARY KEY, sim_id TEXT NOT NULL)", []) { _ in }
        try handle.run("CREATE INDEX bindings_by_sim ON bindings (sim_id)", []) { _ in }
        try handle.run("INSERT INTO bindings VALUES \(rows)", []) { _ in }
    }

    @Test("a lookup by a bound value with an ORDER BY answers for each new value and is never planned again")
    func equalityWithOrderBy() async throws {
        try await Self.withHandle { (handle: SQLiteHandle) async throws in
            try Self.makeBindings(handle, rows: "('b2', 's1'), ('b1', 's1'), ('b3', 's2')")
            let sql = Self.bindingsLookup
            for _ in 0..<3 {
                #expect(try Self.texts(handle, sql, [.text("s1")]) == [["b1"], ["b2"]])
                #expect(try Self.texts(handle, sql, [.text("s2")]) == [["b3"]])
                #expect(try Self.texts(handle, sql, [.text("s3")]) == [])
            }
            #expect(handle.reprepareCount(of: sql) == 0)
        }
    }

    // An accounting batch's 64-row inserts are large statements; an import running meanwhile
    // prepares large statements of its own, which must not push out those still in use.
    @Test("a large statement used again and again stays prepared while more than the kept number of others come and go")
    func largeStatementsKeptByUse() async throws {
        try await Self.withHandle { (handle: SQLiteHandle) async throws in
            func select(_ count: Int, tag: Int) -> String {
                "SELECT \(tag)" + (1...count).map { " + length(?\($0))" }.joined()
            }
            let binds = { (count: Int) in (0..<count).map { _ in SQLiteData.text("ab") } }
            let inUse = select(300, tag: 0)
            #expect(try Self.texts(handle, inUse, binds(300)) == [["600"]])
            for other in 1...40 {
                #expect(try Self.texts(handle, select(257 + other, tag: other), binds(257 + other)) == [[String(other + 2 * (257 + other))]])
                #expect(try Self.texts(handle, inUse, binds(300)) == [["600"]])
            }
            #expect(handle.runCount(ofLarge: inUse) == 41, "the statement in use was prepared again")
        }
    }

    @Test("a run that binds fewer values than the statement has sees NULL for the rest, not the last run's")
    func fewerBindsLeaveNothingOver() async throws {
        try await Self.withHandle { (handle: SQLiteHandle) async throws in
            let sql = "SELECT ?1, ?2"
            #expect(try Self.texts(handle, sql, [.text("a"), .text("b")]) == [["a", "b"]])
            #expect(try Self.texts(handle, sql, [.text("c")]) == [["c", nil]])
            #expect(try Self.texts(handle, sql, [.text("d"), .text("e")]) == [["d", "e"]])
        }
    }

    @Test("large bound values are let go after the run and the statement still answers right")
    func largeValues() async throws {
        try await Self.withHandle { (handle: SQLiteHandle) async throws in
            try handle.run("CREATE TABLE blobs (id INTEGER PRIMARY KEY, body TEXT NOT NULL)", []) { _ in }
            let large = String(repeating: "x", count: 100_000)
            try handle.run("INSERT INTO blobs (id, body) VALUES (?1, ?2)", [.integer(1), .text(large)]) { _ in }
            try handle.run("INSERT INTO blobs (id, body) VALUES (?1, ?2)", [.integer(2), .text("small")]) { _ in }
            let sql = "SELECT length(body) FROM blobs WHERE body = ?1 ORDER BY id"
            #expect(try Self.texts(handle, sql, [.text(large)]) == [["100000"]])
            #expect(try Self.texts(handle, sql, [.text("small")]) == [["5"]])
        }
    }

    // Text and blobs are bound in place from one buffer per connection, which every run
    // overwrites and a large run replaces: no run may see another's bytes, or freed ones.
    @Test("text and blobs bound in place read back exactly, across other statements' runs and a large run that replaces the buffer")
    func valuesBoundInPlace() async throws {
        try await Self.withHandle { (handle: SQLiteHandle) async throws in
            try handle.run("CREATE TABLE places (id INTEGER PRIMARY KEY, name TEXT, body BLOB)", []) { _ in }
            let insert = "INSERT INTO places (id, name, body) VALUES (?1, ?2, ?3)"
            let lookup = "SELECT id, hex(body) FROM places WHERE name = ?1"
            // Empty text is text, not NULL; short strings are stored inside the String value,
            // long ones on the heap, and one comes from Foundation.
            let names = ["", "é-bike ✓", String(repeating: "long name ", count: 20), NSString(string: "from Foundation").description]
            for (index, name) in names.enumerated() {
                var body = ByteBuffer()
                body.writeBytes([UInt8(index), 0xFF, 0x00])
                try handle.run(insert, [.integer(index), .text(name), .blob(body)]) { _ in }
            }
            try handle.run(insert, [.integer(99), .text("empty blob"), .blob(ByteBuffer())]) { _ in }
            // Larger than a new connection's buffer but kept, and larger than what is kept.
            let middle = String(repeating: "m", count: BindArena.initialCapacity + 1)
            let huge = String(repeating: "h", count: BindArena.largestKept + 1)
            for _ in 0..<2 {
                for (index, name) in names.enumerated() {
                    #expect(try Self.texts(handle, lookup, [.text(name)]) == [[String(index), String(format: "%02XFF00", index)]])
                    // Another statement's run writes over the bytes the lookup was bound to.
                    #expect(try Self.texts(handle, "SELECT ?1 || ?2", [.text("other"), .text(name)]) == [["other" + name]])
                }
                #expect(try Self.texts(handle, "SELECT id, length(body) FROM places WHERE name = ?1", [.text("empty blob")]) == [["99", "0"]])
                #expect(try Self.texts(handle, "SELECT count(*) FROM places WHERE name IS NULL", []) == [["0"]])
                // A run whose binding fails partway (one value too many) leaves nothing over.
                #expect(throws: (any Error).self) { try Self.texts(handle, "SELECT ?1 || ?2", [.text("x"), .text("y"), .text("z")]) }
                #expect(try Self.texts(handle, "SELECT ?1 || ?2", [.text("a"), .text("b")]) == [["ab"]])
                // Grows the buffer, while the statements above keep bindings into the old one.
                #expect(try Self.texts(handle, "SELECT length(?1)", [.text(middle)]) == [[String(middle.count)]])
                // Grows the buffer past what is kept, then gives it back.
                #expect(try Self.texts(handle, "SELECT length(?1)", [.text(huge)]) == [[String(huge.count)]])
            }
            // Planned again after a schema change, a kept statement still reads its new values.
            try handle.run("ALTER TABLE places ADD COLUMN note TEXT", []) { _ in }
            #expect(try Self.texts(handle, lookup, [.text(names[1])]) == [["1", "01FF00"]])
        }
    }

    // Replacing the bind buffer clears every kept statement's bindings, which makes SQLite plan
    // again the ones whose plan looked at a bound value. Runs each a little larger than the
    // last must not replace it each time.
    @Test("runs binding a little more each time grow the bind buffer once, not once each, so a kept lookup is planned again at most once")
    func bufferGrowsAhead() async throws {
        try await Self.withHandle { (handle: SQLiteHandle) async throws in
            try Self.makeBindings(handle, rows: "('b1', 's1')")
            let lookup = Self.bindingsLookup
            #expect(try Self.texts(handle, lookup, [.text("s1")]) == [["b1"]])
            for step in 1...8 {
                let text = String(repeating: "g", count: BindArena.initialCapacity + step * 1_000)
                #expect(try Self.texts(handle, "SELECT length(?1)", [.text(text)]) == [[String(text.count)]])
                #expect(try Self.texts(handle, lookup, [.text("s1")]) == [["b1"]])
            }
            #expect(try #require(handle.reprepareCount(of: lookup)) <= 1)
        }
    }

    @Test("a kept SELECT * names the columns its table has now, after a column is added")
    func columnNamesFollowTheSchema() async throws {
        try await Self.withHandle { (handle: SQLiteHandle) async throws in
            try handle.run("CREATE TABLE growing (a TEXT)", []) { _ in }
            try handle.run("INSERT INTO growing (a) VALUES ('x')", []) { _ in }
            func names() throws -> [String] {
                var names: [String] = []
                try handle.run("SELECT * FROM growing", []) { row in names = row.names.names }
                return names
            }
            #expect(try names() == ["a"])
            #expect(try names() == ["a"])
            try handle.run("ALTER TABLE growing ADD COLUMN b TEXT", []) { _ in }
            #expect(try names() == ["a", "b"])
        }
    }
}
