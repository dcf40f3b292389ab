import Foundation
@testable import SimGateStore
import SimGateTestSupport
import SQLKit
import Testing

/// SQLite's write-ahead log is copied into the database file on a connection of its own, and
/// never grows past its limit, however the writes come.
@Suite("SQLite's log copied into the file beside the writer")
struct LogCopierTests {
    /// A database whose log is copied every `threshold` pages and kept under `limit`, with a
    /// table of one-page rows; `body` gets it and its file's path.
    private static func withDatabase(
        threshold: Int, limit: Int, _ body: @escaping @Sendable (SimGateDatabase, String) async throws -> Void
    ) async throws {
        let configuration = try await TestDatabase.freshConfiguration(.sqlite)
        guard case .sqlite(let path) = configuration else {
            Issue.record("a fresh SQLite configuration is not SQLite")
            return
        }
        var limits = ConnectionLimits()
        limits.sqliteCheckpointPages = threshold
        limits.sqliteLogLimitPages = limit
        let database = try SimGateDatabase(configuration, logger: TestDatabase.logger, limits: limits)
        try await database.withRunning {
            try await database.sqlTransaction { try await $0.raw("CREATE TABLE pages (id INTEGER PRIMARY KEY, body BLOB NOT NULL)").run() }
            try await body(database, path)
        }
    }

    /// Writes `rows` rows of about a page each, one transaction per row.
    private static func write(_ database: SimGateDatabase, rows: Range<Int>) async throws {
        for row in rows {
            try await database.sqlTransaction { try await $0.raw("INSERT INTO pages VALUES (\(bind: row), randomblob(3000))").run() }
        }
    }

    private static func logBytes(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? Int) ?? 0
    }

    /// Largest log, in bytes, that `pages` frames of a 4 KiB page make (header and frame headers included).
    private static func logBytes(pages: Int) -> Int { 32 + pages * (24 + 4_096) }

    @Test("commits leave the copying to the copier: with no write at the limit, none copies in place, and all the rows are there")
    func copiedBesideTheWriter() async throws {
        try await Self.withDatabase(threshold: 20, limit: 100_000) { database, path in
            try await Self.write(database, rows: 0..<200)
            let copier = try #require(database.sqliteLogCopier)
            await copier.settled()
            #expect(copier.counts.background >= 1)
            #expect(copier.counts.inline == 0)
            let count = try await database.sqlRead { try await $0.raw("SELECT count(*) AS n FROM pages").first()?.decode(column: "n", as: Int.self) }
            #expect(count == 200)
        }
    }

    // SQLite starts the log over only when a write begins with all of it copied; writers that
    // never pause leave no such moment, so commits copy in place once the log is at its limit.
    @Test("under writes that never pause, the log stays near its limit instead of growing with every commit")
    func logStaysBounded() async throws {
        try await Self.withDatabase(threshold: 20, limit: 100) { database, path in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask { try await Self.write(database, rows: (writer * 100)..<(writer * 100 + 100)) }
                }
                try await group.waitForAll()
            }
            let copier = try #require(database.sqliteLogCopier)
            await copier.settled()
            // 800 one-page rows made at least 800 frames, which a log never started over would
            // hold. The bound leaves room for commits made while the copier held the file.
            #expect(Self.logBytes(path) <= Self.logBytes(pages: 400))
            #expect(copier.counts.background + copier.counts.inline >= 1)
        }
    }
}
