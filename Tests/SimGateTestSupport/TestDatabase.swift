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
        let name = "t" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        switch engine {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("simgate-tests", isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return .sqlite(path: directory.appendingPathComponent("\(name).sqlite").path)
        case .postgres:
            let admin = try SimGateDatabase(.postgres(url: TestEngine.postgresURL), logger: logger)
            try await admin.withRunning {
                try await admin.sqlTransaction { try await $0.raw("CREATE SCHEMA \(unsafeRaw: name)").run() }
            }
            let separator = TestEngine.postgresURL.contains("?") ? "&" : "?"
            return .postgres(url: TestEngine.postgresURL + separator + "search_path=" + name)
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
