import Foundation
import Logging
import SimGateCore
import SimGateStore

/// The engines tests run on. SQLite always; PostgreSQL when `SIMGATE_TEST_POSTGRES_URL` is set,
/// and always under `CI=true`, where a PostgreSQL that cannot be reached fails the tests
/// instead of skipping them.
public enum TestEngine: String, Sendable, CaseIterable {
    case sqlite
    case postgres

    public static var available: [TestEngine] {
        let environment = ProcessInfo.processInfo.environment
        let wantsPostgres = environment["SIMGATE_TEST_POSTGRES_URL"] != nil || environment["CI"] == "true"
        return wantsPostgres ? [.sqlite, .postgres] : [.sqlite]
    }

    /// Where tests find PostgreSQL; `.ci/start-postgres.sh` starts one here.
    public static var postgresURL: String {
        ProcessInfo.processInfo.environment["SIMGATE_TEST_POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:55432/simgate_test"
    }
}

/// A fresh, empty, migrated database of one engine: its own SQLite file, or its own PostgreSQL
/// schema, so tests running in parallel never see each other's rows.
public enum TestDatabase {
    public static let logger: Logger = {
        var logger = Logger(label: "simgate.test")
        logger.logLevel = .warning
        return logger
    }()

    /// The configuration of a new, empty database (not yet migrated).
    public static func freshConfiguration(_ engine: TestEngine) async throws -> DatabaseConfiguration {
        let name = TestScratch.prefix + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        switch engine {
        case .sqlite:
            return .sqlite(path: TestScratch.directory.appendingPathComponent("\(name).sqlite").path)
        case .postgres:
            await postgresLeftOversDropped.value
            let admin = try SimGateDatabase(.postgres(url: TestEngine.postgresURL), logger: logger)
            try await admin.withRunning {
                try await admin.sqlTransaction { try await $0.raw("CREATE SCHEMA \(unsafeRaw: name)").run() }
            }
            let separator = TestEngine.postgresURL.contains("?") ? "&" : "?"
            return .postgres(url: TestEngine.postgresURL + separator + "search_path=" + name)
        }
    }

    /// Drops, once per process, the schemas of test processes that have ended (see
    /// ``TestScratch``). A failure here is logged and fails no test.
    private static let postgresLeftOversDropped = Task<Void, Never> {
        do {
            let admin = try SimGateDatabase(.postgres(url: TestEngine.postgresURL), logger: logger)
            try await admin.withRunning {
                let names = try await admin.sqlRead { db in
                    try await db.raw("SELECT nspname FROM pg_namespace WHERE nspname ~ '^t[0-9]+_[0-9a-f]+$'").all()
                        .map { try $0.decode(column: "nspname", as: String.self) }
                }
                for name in names where TestScratch.isLeftOver(name) {
                    try await admin.sqlTransaction { try await $0.raw("DROP SCHEMA IF EXISTS \(unsafeRaw: name) CASCADE").run() }
                }
            }
        } catch {
            logger.warning("Could not drop the schemas of earlier test runs", metadata: ["error": "\(error)"])
        }
    }

    /// Runs `body` with a new migrated database of `engine`, closed afterwards.
    public static func with<T: Sendable>(_ engine: TestEngine, _ body: @escaping @Sendable (SimGateDatabase) async throws -> T) async throws -> T {
        let database = try SimGateDatabase(try await freshConfiguration(engine), logger: logger)
        return try await database.withRunning {
            try await Migrator(database: database, logger: logger).migrate()
            return try await body(database)
        }
    }
}
