import Foundation
import SimGateStore
import SimGateTestSupport
import SQLKit
import Testing

@Suite("Schema migrations")
struct MigrationTests {
    @Test("migrating twice applies each migration once", arguments: TestEngine.available)
    func idempotent(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            // TestDatabase.with has migrated once already.
            let second = try await Migrator(database: database, logger: TestDatabase.logger).migrate()
            #expect(second.isEmpty)
            let versions = try await database.sqlRead { try await $0.raw("SELECT version FROM schema_migrations").all() }
            #expect(versions.count == Migrator.versions.count)
        }
    }

    @Test("instances migrating one new database at the same moment apply each migration once", arguments: TestEngine.available)
    func concurrentMigrations(engine: TestEngine) async throws {
        let configuration = try await TestDatabase.freshConfiguration(engine)
        let instances = try (0..<3).map { _ in try SimGateDatabase(configuration, logger: TestDatabase.logger) }
        let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
            for instance in instances {
                group.addTask { try await instance.withRunning { try await Migrator(database: instance, logger: TestDatabase.logger).migrate() } }
            }
            return try await group.reduce(into: [Int]()) { $0 += $1 }
        }
        #expect(applied.sorted() == Migrator.versions)
    }

    @Test("many instances opening one new SQLite file at the same moment all get it in WAL mode, none refused as locked")
    func concurrentOpens() async throws {
        for _ in 0..<10 {
            let configuration = try await TestDatabase.freshConfiguration(.sqlite)
            let instances = try (0..<8).map { _ in try SimGateDatabase(configuration, logger: TestDatabase.logger) }
            let modes = try await withThrowingTaskGroup(of: String.self) { group in
                for instance in instances {
                    group.addTask {
                        try await instance.withRunning {
                            try await instance.sqlRead { try await $0.raw("PRAGMA journal_mode").first()?.decode(column: "journal_mode", as: String.self) ?? "" }
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(modes == Array(repeating: "wal", count: 8))
        }
    }

    @Test("jobs queued with a bare id before payloads were typed get their JSON payload from migration 7", arguments: TestEngine.available)
    func legacyJobPayloads(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            try await database.sqlTransaction { db in
                try await db.raw("DELETE FROM schema_migrations WHERE version = 7").run()
                for (id, kind, payload) in [("job_a", "radius.disconnect", "sim_1"), ("job_b", "gateway_event.apply", "gwe_2"), ("job_c", "payment.evaluate", #"{"sim":"sim_3"}"#)] {
                    try await db.raw("""
                        INSERT INTO jobs (id, kind, payload, state, run_at, attempts, max_attempts, created_at, updated_at)
                        VALUES (\(bind: id), \(bind: kind), \(bind: payload), 'pending', 0, 0, 3, 0, 0)
                        """).run()
                }
            }
            #expect(try await Migrator(database: database, logger: TestDatabase.logger).migrate() == [7])
            let payloads = try await database.sqlRead { db in
                try await db.raw("SELECT id, payload FROM jobs ORDER BY id").all().map { (try $0.decode(column: "id", as: String.self), try $0.decode(column: "payload", as: String.self)) }
            }
            #expect(payloads.map(\.1) == [#"{"sim":"sim_1"}"#, #"{"gateway_event":"gwe_2"}"#, #"{"sim":"sim_3"}"#])
        }
    }

    @Test("a database migrated by a newer build is refused, naming both versions, and left as it was", arguments: TestEngine.available)
    func newerSchemaRefused(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let known = try #require(Migrator.versions.last)
            try await database.sqlTransaction { db in
                try await db.raw("INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(bind: known + 1), 'from_the_future', 0)").run()
            }
            do {
                try await Migrator(database: database, logger: TestDatabase.logger).migrate()
                Issue.record("a newer schema was migrated")
            } catch let StoreError.invalidConfiguration(message) {
                #expect(message.contains("version \(known + 1), newer than this build's \(known)"), "\(message)")
            }
            let versions = try await database.sqlRead { db in try await db.raw("SELECT version FROM schema_migrations").all().count }
            #expect(versions == known + 1)
        }
    }
}
