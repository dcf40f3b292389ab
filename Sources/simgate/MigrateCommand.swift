import ArgumentParser
import SimGateStore

/// `simgate migrate`: brings the schema up to date and exits (the server also does this at start).
struct MigrateCommand: AsyncParsableCommand {
    /// `simgate migrate`, with its one-line summary.
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending database migrations.")

    /// Which database to migrate (`--database`).
    @OptionGroup var databaseOptions: DatabaseOptions

    /// Migrates, creating a new SQLite file if there is none, and prints which database is current.
    func run() async throws {
        try await databaseOptions.withMigratedDatabase(creating: true) { _ in }
        print("Schema is up to date at version \(Migrator.versions.last ?? 0) (\(try databaseOptions.configuration())).")
    }
}
