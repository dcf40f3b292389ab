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
        return try AppConfiguration.databaseFromEnvironment()
    }

    /// Opens the database, brings the schema up to date, runs `body`, and closes it. Unless
    /// `creating`, the database must already be SimGate's: an SQLite file that does not exist,
    /// a database with no table (an empty file), or one holding another application's tables
    /// is an error, not something to turn into a SimGate database (a mistyped `--database` must
    /// neither look like an empty SimGate nor write SimGate's tables into someone else's file).
    func withMigratedDatabase<T: Sendable>(creating: Bool = false, _ body: @escaping @Sendable (SimGateDatabase) async throws -> T) async throws -> T {
        let logger = Logger(label: "simgate")
        let configuration = try configuration()
        let place: String
        switch configuration {
        case .sqlite(let path): place = path
        case .postgres: place = "the PostgreSQL database given"
        }
        if !creating, case .sqlite(let path) = configuration {
            guard FileManager.default.fileExists(atPath: path) else {
                throw CommandFailure("No SimGate database at \(path). Start SimGate there first (simgate serve), run simgate migrate, or give --database.")
            }
            // Read before SimGate's own connection opens the file, which would switch it to WAL.
            try Self.requireSimGate(try SQLiteSchemaProbe.schema(ofFileAt: path), at: place)
        }
        let database = try SimGateDatabase(configuration, logger: logger)
        return try await database.withRunning {
            let migrator = Migrator(database: database, logger: logger)
            if !creating, case .postgres = configuration { try Self.requireSimGate(try await migrator.existingSchema(), at: place) }
            try await migrator.migrate()
            return try await body(database)
        }
    }

    /// Refuses a database that holds no table, or only another application's.
    private static func requireSimGate(_ schema: Migrator.ExistingSchema, at place: String) throws {
        switch schema {
        case .simGate:
            return
        case .empty:
            throw CommandFailure("No SimGate database at \(place): it holds no table. Start SimGate there first (simgate serve), run simgate migrate, or give --database.")
        case .foreign(let tables):
            let named = tables.prefix(3).joined(separator: ", ") + (tables.count > 3 ? ", ..." : "")
            throw CommandFailure("\(place) is not a SimGate database: it holds other tables (\(named)) and no schema_migrations. Nothing was changed; check --database.")
        }
    }
}
