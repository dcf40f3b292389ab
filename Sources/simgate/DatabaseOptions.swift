import ArgumentParser
import Foundation
import Logging
import SimGateServer
import SimGateStore

/// `--database`, shared by every command that touches state.
struct DatabaseOptions: ParsableArguments {
    /// `--database`: SQLite file path or `postgres://` URL; `nil` falls back to the environment.
    @Option(help: "SQLite file path or postgres:// URL. Default: $SIMGATE_DATABASE, else simgate.sqlite.")
    var database: String?

    /// `--database`, else `SIMGATE_DATABASE`, else the default.
    func configuration() throws -> DatabaseConfiguration {
        if let database {
            let configuration = DatabaseConfiguration(parsing: database)
            if let expected = configuration.unusableBecause { throw ValidationError("--database must be \(expected).") }
            return configuration
        }
        return try AppConfiguration.fromEnvironment().database
    }

    /// Opens the database, brings the schema up to date, runs `body`, and closes it. Unless
    /// `creating`, an SQLite file that does not exist is an error rather than a new empty
    /// database (a mistyped `--database` must not look like an empty SimGate).
    func withMigratedDatabase<T: Sendable>(creating: Bool = false, _ body: @escaping @Sendable (SimGateDatabase) async throws -> T) async throws -> T {
        let logger = Logger(label: "simgate")
        if !creating, case .sqlite(let path) = try configuration(), !FileManager.default.fileExists(atPath: path) {
            throw CommandFailure("No SimGate database at \(path). Start SimGate there first (simgate serve), run simgate migrate, or give --database.")
        }
        let database = try SimGateDatabase(try configuration(), logger: logger)
        return try await database.withRunning {
            try await Migrator(database: database, logger: logger).migrate()
            return try await body(database)
        }
    }
}
