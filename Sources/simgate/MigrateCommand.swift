import ArgumentParser

/// `simgate migrate`: brings the schema up to date and exits (the server also does this at start).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending database migrations.")

    @OptionGroup var databaseOptions: DatabaseOptions

    func run() async throws {
        try await databaseOptions.withMigratedDatabase(creating: true) { _ in }
        print("Schema is up to date (\(try databaseOptions.configuration())).")
    }
}
