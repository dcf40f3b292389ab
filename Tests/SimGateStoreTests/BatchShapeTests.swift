@testable import SimGateStore
import SQLKit
import SimGateTestSupport
import Testing

/// How batches are cut into statements: few, large ones on PostgreSQL; on SQLite, statements
/// of a few fixed sizes that the connection keeps prepared.
@Suite("Batch statement sizes")
struct BatchShapeTests {
    @Test("rows are cut into statements of 64, 16, 4, 2 and 1 rows on SQLite, within 1,024 binds each, and into one statement on PostgreSQL", arguments: TestEngine.available)
    func rows(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            try await database.sqlRead { db in
                for (count, columns) in [(0, 15), (1, 15), (73, 15), (73, 3), (150, 7), (1_500, 16), (5, 300), (5, 1_100)] {
                    let ranges = BatchShape.rows(count, columns: columns, on: db)
                    // Every row exactly once, in order.
                    #expect(ranges.flatMap { Array($0) } == Array(0..<count), "\(count) rows of \(columns)")
                    if engine == .sqlite {
                        let sizes = Set(ranges.map(\.count))
                        #expect(sizes.isSubset(of: [64, 16, 4, 2, 1]), "\(count) rows of \(columns): \(sizes)")
                        #expect(ranges.allSatisfy { $0.count == 1 || $0.count * columns <= 1_024 }, "\(count) rows of \(columns)")
                    } else {
                        #expect(ranges.count == (count + 999) / 1_000, "\(count) rows of \(columns)")
                    }
                }
                #expect(BatchShape.rows(73, columns: 15, on: db).map(\.count) == (engine == .sqlite ? [64, 4, 4, 1] : [73]))
                #expect(BatchShape.rows(73, columns: 17, on: db).map(\.count) == (engine == .sqlite ? [16, 16, 16, 16, 4, 4, 1] : [73]))
                #expect(BatchShape.rows(7, columns: 16, on: db).map(\.count) == (engine == .sqlite ? [4, 2, 1] : [7]))
                #expect(BatchShape.rows(2, columns: 16, on: db).map(\.count) == (engine == .sqlite ? [2] : [2]))
            }
        }
    }

    @Test("IN lists on SQLite are padded to a fixed size with their last value, and hold every value once in order", arguments: TestEngine.available)
    func inLists(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            try await database.sqlRead { db in
                #expect(BatchShape.inLists([String](), on: db).isEmpty)
                for count in [1, 3, 9, 64, 65, 200, 1_001] {
                    let values = (0..<count).map { "v\($0)" }
                    for lists in [1, 2, 5] {
                        let chunks = BatchShape.inLists(values, lists: lists, on: db)
                        // Padding repeats the chunk's own last value, so dropping repeats gives the values back.
                        let unpadded = chunks.flatMap { chunk in chunk.enumerated().filter { $0.offset == 0 || $0.element != chunk[$0.offset - 1] }.map(\.element) }
                        #expect(unpadded == values, "\(count) values, \(lists) lists")
                        if engine == .sqlite {
                            #expect(chunks.allSatisfy { [64, 16, 4, 2, 1].contains($0.count) && $0.count * lists <= 1_024 }, "\(count) values, \(lists) lists")
                        } else {
                            #expect(chunks.map(\.count).reduce(0, +) == count)
                        }
                    }
                }
            }
        }
    }

    @Test("an insert run again and again in the same sizes stores each run's own values, in every statement of it", arguments: TestEngine.available)
    func keptInsertTexts(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let insert = InsertStatement(into: "shape_probe", columns: ["run", "position", "label"], then: #"RETURNING "position""#)
            var expected: [String] = []
            try await database.sqlTransaction { db in
                try await db.raw("CREATE TABLE shape_probe (run BIGINT NOT NULL, position BIGINT NOT NULL, label TEXT)").run()
                // 73 rows (16, 16, 16, 16, 4, 4, 1 on SQLite), then 21 and 73 again: the later
                // runs reuse the texts the first one wrote.
                for (run, count) in [73, 21, 73].enumerated() {
                    let rows: [[any Encodable & Sendable]] = (0..<count).map { position in
                        [Int64(run), Int64(position), position % 3 == 0 ? NullBind() : "r\(run)p\(position)"]
                    }
                    let returned = try await insert.runInShapes(rows, on: db)
                    #expect(try returned.map { try $0.int64("position") } == (0..<count).map(Int64.init), "run \(run)")
                    expected += (0..<count).map { position in "\(run)/\(position)/" + (position % 3 == 0 ? "-" : "r\(run)p\(position)") }
                }
            }
            let stored = try await database.sqlRead { db in
                try await db.raw("SELECT run, position, label FROM shape_probe ORDER BY run, position").all().map { row in
                    "\(try row.int64("run"))/\(try row.int64("position"))/" + (try row.optionalString("label") ?? "-")
                }
            }
            #expect(stored == expected)
        }
    }

    @Test("a bulk insert (a stock import's) in full statements and a rest stores every value of each run, its text reused; wide rows stay under SQLite's bind limit", arguments: TestEngine.available)
    func bulkInsertTexts(engine: TestEngine) async throws {
        let wide = InsertStatement(into: "wide", columns: (0..<40).map { "c\($0)" })
        #expect(wide.bulkRows * 40 <= 32_766)
        try await TestDatabase.with(engine) { database in
            let insert = InsertStatement(into: "bulk_probe", columns: ["run", "position", "label"])
            #expect(insert.bulkRows == 1_000)
            var expected: [String] = []
            try await database.sqlTransaction { db in
                try await db.raw("CREATE TABLE bulk_probe (run BIGINT NOT NULL, position BIGINT NOT NULL, label TEXT)").run()
                // 2,345 rows: two full statements and one of 345; then 1,000 again, the kept text.
                for (run, count) in [2_345, 1_000].enumerated() {
                    let rows: [[any Encodable & Sendable]] = (0..<count).map { position in
                        [Int64(run), position, position % 7 == 0 ? NullBind() : "r\(run)p\(position)"]
                    }
                    try await insert.runInBulk(rows, on: db)
                    expected += (0..<count).map { position in "\(run)/\(position)/" + (position % 7 == 0 ? "-" : "r\(run)p\(position)") }
                }
            }
            let stored = try await database.sqlRead { db in
                try await db.raw("SELECT run, position, label FROM bulk_probe ORDER BY run, position").all().map { row in
                    "\(try row.int64("run"))/\(try row.int64("position"))/" + (try row.optionalString("label") ?? "-")
                }
            }
            #expect(stored == expected)
        }
    }
}
