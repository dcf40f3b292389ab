import ArgumentParser

/// `simgate bench`: benchmarks that print figures (never tests with wall-clock assertions).
struct BenchCommand: AsyncParsableCommand {
    /// `simgate bench` and its benchmarks: `payments`, `radius` and `aofu`.
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure SimGate on this machine and print the figures.",
        subcommands: [PaymentsBenchCommand.self, RADIUSBenchCommand.self, AOFUBenchCommand.self, AutomationBenchCommand.self, StatementBenchCommand.self, DashboardBenchCommand.self, HTTPBenchCommand.self, ListsBenchCommand.self, ImportBenchCommand.self, FailoverBenchCommand.self]
    )
}
