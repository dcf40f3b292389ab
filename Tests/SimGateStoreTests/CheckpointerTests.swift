import Foundation
import SQLKit
@testable import SimGateStore
import SimGateTestSupport
import Testing

/// SQLite's write-ahead log is copied back into the file by a connection of its own, not by
/// the commits that grow it, and still stays bounded under steady writes.
@Suite("SQLite's log checkpointed apart from the writer", .timeLimit(.minutes(1)))
struct CheckpointerTests {
    /// Pages a transaction of `rows` rows of 4,000 bytes writes, about: one each.
    private static let rowsPerTransaction = 50

    @Test("the log is checkpointed apart once it passes 1,000 pages, and under steady writes starts over by 4,000")
    func logStaysBounded() async throws {
        let configuration = try await TestDatabase.freshConfiguration(.sqlite)
        guard case .sqlite(let path) = configuration else { Issue.record("not SQLite"); return }
        let database = try SimGateDatabase(configuration, logger: TestDatabase.logger)
        try await database.withRunning {
            try await database.sqlTransaction { try await $0.raw("CREATE TABLE scratch (id INTEGER PRIMARY KEY, body BLOB NOT NULL)").run() }
            func write(pages: Int) async throws {
                for _ in 0..<(pages / Self.rowsPerTransaction) {
                    try await database.sqlTransaction { db in
                        try await db.raw("INSERT INTO scratch (body) SELECT randomblob(4000) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(unsafeRaw: String(Self.rowsPerTransaction))) SELECT i FROM n)").run()
                    }
                }
            }
            func logPages() throws -> Int {
                let size = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
                return size / 4_096
            }

            try await write(pages: 1_200)
            await database.checkpointsRun(atLeast: 1)
            let afterFirst = try logPages()
            #expect(afterFirst >= 1_000, "the log had grown past the threshold before the first checkpoint: \(afterFirst) pages")

            // Ten times as much again, written without a pause: the checkpointer runs beside
            // the writes, and the log starts over each time it passes 4,000 pages.
            try await write(pages: 12_000)
            await database.checkpointsRun(atLeast: 2)
            let afterMore = try logPages()
            let bound = Int(SQLiteCheckpointer.writerTakesOver) + Self.rowsPerTransaction + 10
            #expect(afterMore <= bound, "the log stayed bounded: \(afterMore) pages after 13,200 written (bound \(bound))")

            // Nothing is lost to the copying.
            let rows = try await database.sqlRead { try await $0.raw("SELECT COUNT(*) AS n FROM scratch").first()?.decode(column: "n", as: Int.self) }
            #expect(rows == 13_200)
        }
    }
}
