import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SimGateCore
import SimGateServer
import SimGateStore

/// `simgate bench aofu`: a fleet of AOFU SIMs whose shutdowns all fall due within one minute,
/// unprovisioned by one or more SimGate instances sharing the database.
///
/// Prints the time from due to done (p50, p99, max), how many were done within the minute,
/// and the count of SIMs unprovisioned twice or not at all. The instances are full SimGate
/// apps in this process, each with its own connection pool and job scheduler; their clock runs
/// ahead of the system clock so that the seeded minute starts a few seconds after they do.
struct AOFUBenchCommand: AsyncParsableCommand {
    /// `simgate bench aofu`, with its one-line summary.
    static let configuration = CommandConfiguration(commandName: "aofu", abstract: "AOFU shutdowns falling due together: lag from due to done, doubles and misses.")

    /// `--sims`: SIMs whose shutdowns fall due.
    @Option(help: "SIMs whose shutdowns fall due.") var sims = 100_000
    /// `--spread`: seconds over which the shutdowns fall due, evenly.
    @Option(help: "Seconds over which the shutdowns fall due.") var spread = 60
    /// `--instances`: SimGate instances sharing the database.
    @Option(help: "SimGate instances sharing the database.") var instances = 1
    /// `--database`: file path or `postgres://` URL of an empty database; `nil` means a new temporary SQLite file.
    @Option(help: "An empty database (file path or postgres:// URL). Default: a new temporary SQLite file.") var database: String?

    /// The tariff number the fleet is on.
    static let tariff = 1

    /// Seeds the fleet, runs the instances until every shutdown is done (or a deadline passes), and prints.
    func run() async throws {
        let logger = { var logger = Logger(label: "simgate.bench"); logger.logLevel = .error; return logger }()
        // Without --database: a new SQLite file, removed once the bench is done.
        let scratch = try ScratchDirectory(prefix: "simgate-bench-aofu")
        defer { scratch.remove() }
        let configuration = database.map(DatabaseConfiguration.init(parsing:)) ?? .sqlite(path: scratch.path("bench.sqlite"))
        print("SimGate bench: aofu, \(sims) SIMs due over \(spread) s, \(instances) instance(s), database \(configuration)")

        let setup = try SimGateDatabase(configuration, logger: logger)
        let seedStart = ContinuousClock.now
        // Due a day ahead while seeding; the instances' clock then brings that minute to now.
        let dueFrom = SystemWallClock().now().addingTimeInterval(86_400)
        let (count, spread, tariff) = (sims, TimeInterval(spread), Self.tariff)
        try await setup.withRunning {
            try await Migrator(database: setup, logger: logger).migrate()
            _ = try await Administration(database: setup).seedAOFUFleet(count: count, tariff: tariff, dueFrom: dueFrom, spread: spread)
        }
        print(String(format: "seeded: %d SIMs with their shutdown jobs in %.1f s", sims, (ContinuousClock.now - seedStart).asSeconds))

        let clock = OffsetWallClock(offset: dueFrom.timeIntervalSince(SystemWallClock().now()) - 3)
        var apps: [any Service] = []
        for _ in 0..<instances {
            var app = AppConfiguration()
            app.port = 0
            app.database = configuration
            app.radius.enabled = false
            app.bootstrapOperator = false
            let dependencies = AppDependencies(database: try SimGateDatabase(configuration, logger: logger), clock: clock, logger: logger)
            apps.append(try await buildApplication(app, dependencies: dependencies))
        }
        let watcher = try SimGateDatabase(configuration, logger: logger)
        let services = ServiceGroup(configuration: .init(services: apps.map { .init(service: $0) }, logger: logger))
        let deadline = dueFrom.addingTimeInterval(spread + 120)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            try await watcher.withRunning {
                let admin = Administration(database: watcher, clock: clock)
                while clock.now() < deadline, try await admin.provisionedCount(tariff: tariff) > 0 {
                    try await Task.sleep(for: .seconds(1))
                }
                await services.triggerGracefulShutdown()
                try await Self.report(admin, dueFrom: dueFrom, spread: spread)
            }
            try await group.waitForAll()
        }
    }

    /// Prints lag percentiles, the count done within the minute, doubles and misses.
    static func report(_ admin: Administration, dueFrom: Date, spread: TimeInterval) async throws {
        let (outcomes, events) = try await admin.shutdownReport(tariff: tariff)
        let done = outcomes.filter { $0.status == .unprovisioned }
        let lags = done.map { max(0, $0.statusChangedAt.timeIntervalSince($0.shutdownAt)) }.sorted()
        func percentile(_ p: Double) -> Double { lags.isEmpty ? .nan : lags[min(lags.count - 1, Int(Double(lags.count) * p))] }
        let withinMinute = done.filter { $0.statusChangedAt < dueFrom.addingTimeInterval(spread) }.count
        let doubled = events.values.filter { $0 > 1 }.count
        let missed = outcomes.count - done.count
        print(String(format: "due -> unprovisioned: p50 %.2f s, p99 %.2f s, max %.2f s (n=%d)", percentile(0.5), percentile(0.99), lags.last ?? .nan, lags.count))
        print("done within the minute the shutdowns fell due: \(withinMinute) of \(outcomes.count)")
        print("unprovisioned twice: \(doubled); missed: \(missed)")
    }
}

/// The system clock shifted by a fixed offset: the bench's instances live a day ahead.
struct OffsetWallClock: WallClock {
    /// Seconds added to the system clock.
    let offset: TimeInterval

    /// The system time plus ``offset``.
    func now() -> Date { SystemWallClock().now().addingTimeInterval(offset) }
}
