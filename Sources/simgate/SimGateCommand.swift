import ArgumentParser
import Foundation

/// The `simgate` executable: the server and its administration commands in one binary.
@main
struct SimGateCommand: AsyncParsableCommand {
    /// The root command: every subcommand, with `serve` run when none is named.
    static let configuration = CommandConfiguration(
        commandName: "simgate",
        abstract: "SimGate: connectivity management for IoT SIM fleets.",
        subcommands: [ServeCommand.self, MigrateCommand.self, AccountsCommand.self, KeysCommand.self, SimsCommand.self, UsageCommand.self, SimulateCommand.self, BenchCommand.self],
        defaultSubcommand: ServeCommand.self
    )

    /// Runs the chosen command; a failure the command line can put in words is printed as
    /// such (exit status 1), everything else as ArgumentParser reports it.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            guard let lines = CommandErrorText.lines(for: error) else { exit(withError: error) }
            FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            exit(withError: ExitCode.failure)
        }
    }
}
