import ArgumentParser
import Foundation
import Logging
import NIOCore
import Metrics
import Prometheus
import SimGateServer

/// `simgate serve`: runs the server until SIGINT or SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    /// `simgate serve`, which is also what plain `simgate` runs.
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the SimGate server (the default command).")

    /// `--config`: path of a JSON settings file; `nil` falls back to `SIMGATE_CONFIG`, else none.
    @Option(help: "A JSON config file with any of the settings (README, Running it for real). Default: $SIMGATE_CONFIG, else none.")
    var config: String?

    /// `--host`: HTTP listen address; `nil` leaves it to the environment, then the config file.
    @Option(help: "Address to listen on. Default: $SIMGATE_HOST, else 127.0.0.1.")
    var host: String?

    /// `--port`: HTTP port; kept as text, checked with the other settings when they are loaded.
    @Option(help: "HTTP port. Default: $SIMGATE_PORT, else 8080.")
    var port: String?

    /// `--database`, passed on as the `database` setting.
    @OptionGroup var databaseOptions: DatabaseOptions

    /// `--radius-host`: the address both RADIUS ports listen on.
    @Option(help: "RADIUS listen address. Default: $SIMGATE_RADIUS_HOST, else 127.0.0.1.")
    var radiusHost: String?

    /// `--radius-auth-port`: the UDP port for Access-Requests.
    @Option(help: "RADIUS authentication port. Default: $SIMGATE_RADIUS_AUTH_PORT, else 1812.")
    var radiusAuthPort: String?

    /// `--radius-acct-port`: the UDP port for Accounting-Requests.
    @Option(help: "RADIUS accounting port. Default: $SIMGATE_RADIUS_ACCT_PORT, else 1813.")
    var radiusAcctPort: String?

    /// `--radius-clients`: gateways allowed to send, as `address=secret` entries separated by commas.
    @Option(help: "Gateways allowed to ask, address=secret entries separated by commas. Default: $SIMGATE_RADIUS_CLIENTS, else none.")
    var radiusClients: String?

    /// `--radius-coa-port`: where gateways listen for Disconnect-Requests (RFC 5176).
    @Option(help: "The gateways' port for Disconnect-Request. Default: $SIMGATE_RADIUS_COA_PORT, else 3799.")
    var radiusCoaPort: String?

    /// `--radius-interim-interval`: seconds sent as Acct-Interim-Interval in each Access-Accept.
    @Option(help: "Acct-Interim-Interval in seconds (60-86400). Default: $SIMGATE_RADIUS_INTERIM_INTERVAL, else 300.")
    var radiusInterimInterval: String?

    /// `--radius-accounting-commit-delay`: how long an accounting batch may wait for more reports.
    @Option(help: "Milliseconds (0-20) accounting may wait for more reports to commit with, while they keep coming. Default: $SIMGATE_RADIUS_ACCOUNTING_COMMIT_DELAY, else 0.")
    var radiusAccountingCommitDelay: String?

    /// `--secrets-key`: base64 of the 32-byte key that seals stored secrets.
    @Option(help: "Base64 of 32 random bytes sealing stored secrets. Default: $SIMGATE_SECRETS_KEY, else the key file.")
    var secretsKey: String?

    /// `--secrets-key-file`: where the secrets key is kept when `--secrets-key` is not given.
    @Option(help: "The secrets key's file, made on first start. Default: $SIMGATE_SECRETS_KEY_FILE, else simgate.key beside the SQLite file.")
    var secretsKeyFile: String?

    /// `--webhooks-allow-networks`: private or loopback networks webhooks may reach.
    @Option(help: "Private or loopback networks webhooks may reach, separated by commas. Default: $SIMGATE_WEBHOOKS_ALLOW_NETWORKS, else none.")
    var webhooksAllowNetworks: String?

    /// `--webhooks-timeout`: seconds one webhook attempt may take.
    @Option(help: "Seconds one webhook attempt may take (1-60). Default: $SIMGATE_WEBHOOKS_TIMEOUT, else 10.")
    var webhooksTimeout: String?

    /// `--statements-freeze-after`: hours after a month's end its statements freeze.
    @Option(help: "Hours after a month ends that its statements freeze (0-720). Default: $SIMGATE_STATEMENTS_FREEZE_AFTER, else 72.")
    var statementsFreezeAfter: String?

    /// `--usage-retention-months`: months of usage records PostgreSQL keeps.
    @Option(help: "Months of usage records kept, older months dropped whole (1-1200; PostgreSQL only). Default: $SIMGATE_USAGE_RETENTION_MONTHS, else all.")
    var usageRetentionMonths: String?

    /// `--log-level`: the least severe level written to standard output.
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    /// Loads the settings, sets up logging and Prometheus metrics, then serves until SIGINT or SIGTERM.
    func run() async throws {
        let configuration = try await AppConfiguration.load(from: settings())

        // Process-wide bootstraps belong here, once, never in buildApplication.
        let level = logLevel
        LoggingSystem.bootstrap { label in
            // Escaped: log metadata carries text devices and gateways chose.
            var handler = EscapingLogHandler(StreamLogHandler.standardOutput(label: label))
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
        } catch let error as IOError where error.errnoCode == EADDRNOTAVAIL {
            throw CommandFailure("cannot listen on \(configuration.host):\(configuration.port): no interface of this machine has that address (--host, SIMGATE_HOST).")
        } catch is SocketAddressError, is SocketAddressError.UnknownHost {
            throw CommandFailure("cannot listen on \(configuration.host):\(configuration.port): the host is not an address or a name this machine resolves (--host, SIMGATE_HOST).")
        }
    }
}

extension ServeCommand {
    /// Flags first, then the environment, then the config file.
    func settings() async throws -> SettingsSource {
        let flags: [String: String?] = [
            "host": host, "port": port, "database": databaseOptions.database, "radius.host": radiusHost,
            "radius.auth_port": radiusAuthPort, "radius.acct_port": radiusAcctPort, "radius.clients": radiusClients,
            "radius.coa_port": radiusCoaPort, "radius.interim_interval": radiusInterimInterval,
            "radius.accounting_commit_delay": radiusAccountingCommitDelay,
            "secrets_key": secretsKey, "secrets_key_file": secretsKeyFile, "webhooks.allow_networks": webhooksAllowNetworks,
            "webhooks.timeout": webhooksTimeout, "statements.freeze_after": statementsFreezeAfter,
            "usage.retention_months": usageRetentionMonths,
        ]
        let environment = ProcessInfo.processInfo.environment
        let source = SettingsSource(flags: flags.compactMapValues { $0 }, environment: environment)
        guard let file = config ?? environment["SIMGATE_CONFIG"] else { return source }
        return try await source.addingConfigFile(file)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
