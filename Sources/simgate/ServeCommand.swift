import ArgumentParser
import Foundation
import Logging
import NIOCore
import Metrics
import Prometheus
import SimGateServer

/// `simgate serve`: runs the server until SIGINT or SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the SimGate server (the default command).")

    @Option(help: "Address to listen on. Default: $SIMGATE_HOST, else 127.0.0.1.")
    var host: String?

    @Option(help: "HTTP port. Default: $SIMGATE_PORT, else 8080.")
    var port: Int?

    @OptionGroup var databaseOptions: DatabaseOptions

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        var configuration = try AppConfiguration.fromEnvironment()
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        configuration.database = try databaseOptions.configuration()

        // Process-wide bootstraps belong here, once, never in buildApplication.
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        let logger = Logger(label: "simgate")
        logger.info("Starting SimGate", metadata: ["database": "\(configuration.database)", "address": "\(configuration.host):\(configuration.port)"])
        let dependencies = AppDependencies(
            database: try .init(configuration.database, logger: logger), registry: registry, logger: logger
        )
        do {
            try await buildApplication(configuration, dependencies: dependencies).runService()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw CommandFailure(
                "cannot listen on \(configuration.host):\(configuration.port): the address is already in use (another SimGate, or another server, holds the port)."
            )
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
