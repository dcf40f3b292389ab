import ArgumentParser

/// The `simgate` executable: the server and its administration commands in one binary.
@main
struct SimGateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simgate",
        abstract: "SimGate: connectivity management for IoT SIM fleets.",
        subcommands: [ServeCommand.self, MigrateCommand.self, AccountsCommand.self, KeysCommand.self, SimsCommand.self, UsageCommand.self, SimulateCommand.self, BenchCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
