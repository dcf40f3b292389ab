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
            let versions = try await database.read { try await $0.raw("SELECT version FROM schema_migrations").all() }
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
}
