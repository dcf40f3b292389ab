import Foundation
import SimGateStore
import SimGateCore

/// Everything that decides how a SimGate instance runs, with safe defaults.
public struct AppConfiguration: Sendable {
    /// Address to listen on. Default `127.0.0.1`: reachable from this machine only.
    public var host: String = "127.0.0.1"
    /// HTTP port. Default 8080; 0 picks a free port (tests).
    public var port: Int = 8080
    /// Where state lives. Default: `simgate.sqlite` in the working directory.
    public var database: DatabaseConfiguration = .sqlite(path: "simgate.sqlite")
    /// Job scheduler pacing.
    public var scheduler = JobScheduler.Settings()
    /// How long HTTP connections may idle, and how many may be open.
    public var http = HTTPConnectionSettings()
    /// Whether to create the operator account on an empty database and print its key.
    public var bootstrapOperator = true
    /// The RADIUS AAA server for the data network.
    public var radius = RADIUSSettings()
    /// How webhook deliveries are made.
    public var webhooks = WebhookSettings()
    /// When closed months' statements freeze.
    public var statements = StatementSettings()
    /// How the dashboard's overview keeps its costlier figures.
    public var dashboard = DashboardSettings()
    /// Months of usage records kept (PostgreSQL only); `nil` keeps them all.
    public var usageRetentionMonths: Int?
    /// The key that seals stored secrets (webhook signing secrets), base64 of 32 bytes.
    /// When `nil`, ``secretsKeyFile`` holds it; when both are `nil` (tests), a key is made
    /// for this run only.
    public var secretsKey: String?
    /// A file holding the secrets key, made with a new key on first start if missing.
    public var secretsKeyFile: String?

    /// Every setting at its default.
    public init() {}

    /// Where the secrets key is kept unless set: `simgate.key` beside the SQLite file, so that
    /// it travels with the database; in the working directory for PostgreSQL.
    var defaultSecretsKeyFile: String {
        guard case .sqlite(let path) = database else { return "simgate.key" }
        return URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("simgate.key").path
    }

    /// Reads every ``SettingKey`` from the environment alone over the defaults.
    /// - Throws: ``ConfigurationError`` naming the variable when a value cannot be read.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> AppConfiguration {
        try load(from: SettingsSource(environment: environment))
    }

    /// The database setting alone from the environment (`SIMGATE_DATABASE`), else the
    /// default: the admin commands touch nothing else, and a server setting they do not use
    /// (a mistyped `SIMGATE_PORT`) must not stop them.
    public static func databaseFromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DatabaseConfiguration {
        try database(from: SettingsSource(environment: environment)) ?? AppConfiguration().database
    }

    /// The database `source` names, `nil` when it names none.
    private static func database(from source: SettingsSource) throws -> DatabaseConfiguration? {
        guard let (text, origin) = try source.value(.database) else { return nil }
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ConfigurationError(variable: origin, value: text, expected: "a value that is not empty")
        }
        let database = DatabaseConfiguration(parsing: text)
        if let expected = database.unusableBecause { throw ConfigurationError(variable: origin, value: text, expected: expected) }
        return database
    }

    /// Reads every ``SettingKey`` from `source` over the defaults.
    /// - Throws: ``ConfigurationError`` naming the flag, variable or file key when a value
    ///   cannot be read: a mistyped setting stops start-up rather than quietly becoming its default.
    public static func load(from source: SettingsSource) throws -> AppConfiguration {
        var configuration = AppConfiguration()
        func port(_ key: SettingKey) throws -> Int? {
            guard let (text, origin) = try source.value(key) else { return nil }
            guard let port = Int(text), (0...65_535).contains(port) else {
                throw ConfigurationError(variable: origin, value: text, expected: "a port number from 0 to 65535")
            }
            return port
        }
        func nonEmpty(_ key: SettingKey) throws -> String? {
            guard let (text, origin) = try source.value(key) else { return nil }
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ConfigurationError(variable: origin, value: text, expected: "a value that is not empty")
            }
            return text
        }
        if let host = try nonEmpty(.host) { configuration.host = host }
        if let port = try port(.port) { configuration.port = port }
        if let database = try database(from: source) { configuration.database = database }
        // Where Disconnect-Requests are sent, so never 0 (which, for the ports SimGate
        // listens on, means any free one): every send to it failed, and nothing said why.
        let coaPort = try port(.radiusCoAPort) ?? 3_799
        if coaPort == 0, let (text, origin) = try source.value(.radiusCoAPort) {
            throw ConfigurationError(variable: origin, value: text, expected: "the gateways' CoA port, from 1 to 65535")
        }
        // Each list's and the retention's default, as README's table writes it, may be written
        // out too: `none` is the empty list, `all` keeps every month.
        if let (clients, origin) = try source.value(.radiusClients), clients.trimmingCharacters(in: .whitespaces) != "none" {
            do {
                configuration.radius.clients = try RADIUSSettings.clients(parsing: clients, coaPort: coaPort)
            } catch let error as RADIUSSettings.ClientEntryError {
                switch error.problem {
                case .unreadable:
                    throw ConfigurationError(variable: origin, value: error.entry, expected: "address=secret entries, the address an IP or an IPv4 network such as 10.20.0.0/16")
                case .addressTwice:
                    throw ConfigurationError(variable: origin, value: error.entry, expected: "one entry per address; this address has another")
                }
            }
        }
        if let (text, origin) = try source.value(.radiusInterimInterval) {
            guard let seconds = UInt32(text), Account.interimIntervalRange.contains(Int(seconds)) else {
                throw ConfigurationError(
                    variable: origin, value: text,
                    expected: "whole seconds from \(Account.interimIntervalRange.lowerBound) to \(Account.interimIntervalRange.upperBound)"
                )
            }
            configuration.radius.interimInterval = seconds
        }
        if let (text, origin) = try source.value(.radiusAccountingCommitDelay) {
            guard let milliseconds = Int(text), (0...20).contains(milliseconds) else {
                throw ConfigurationError(variable: origin, value: text, expected: "whole milliseconds from 0 to 20")
            }
            configuration.radius.accountingCommitDelay = .milliseconds(milliseconds)
        }
        if let (text, origin) = try source.value(.secretsKey) {
            guard SecretBox(base64: text) != nil else {
                throw ConfigurationError(variable: origin, value: "(hidden)", expected: "the base64 of 32 random bytes (openssl rand -base64 32)")
            }
            configuration.secretsKey = text
        } else {
            configuration.secretsKeyFile = try nonEmpty(.secretsKeyFile) ?? configuration.defaultSecretsKeyFile
        }
        if let (text, origin) = try source.value(.webhooksAllowNetworks), text.trimmingCharacters(in: .whitespaces) != "none" {
            let entries = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if case .failure(let bad) = WebhookSettings.networks(parsing: entries) {
                throw ConfigurationError(variable: origin, value: bad.entry, expected: "a comma-separated list of IP addresses or networks such as 10.0.0.0/8 or fd00::/8")
            }
            configuration.webhooks.allowedNetworks = entries
        }
        if let (text, origin) = try source.value(.webhooksTimeout) {
            guard let seconds = Int(text), (1...60).contains(seconds) else {
                throw ConfigurationError(variable: origin, value: text, expected: "whole seconds from 1 to 60")
            }
            configuration.webhooks.timeout = TimeInterval(seconds)
        }
        if let (text, origin) = try source.value(.usageRetentionMonths), text.trimmingCharacters(in: .whitespaces) != "all" {
            guard let months = Int(text), (1...1_200).contains(months) else {
                throw ConfigurationError(variable: origin, value: text, expected: "whole months from 1 to 1200")
            }
            guard case .postgres = configuration.database else {
                throw ConfigurationError(variable: origin, value: text, expected: "unset on SQLite (usage records are dropped by month on PostgreSQL only)")
            }
            configuration.usageRetentionMonths = months
        }
        if let (text, origin) = try source.value(.statementsFreezeAfter) {
            guard let hours = Int(text), (0...720).contains(hours) else {
                throw ConfigurationError(variable: origin, value: text, expected: "whole hours from 0 to 720")
            }
            configuration.statements.freezeAfter = TimeInterval(hours * 3_600)
        }
        if let host = try nonEmpty(.radiusHost) { configuration.radius.host = host }
        if let port = try port(.radiusAuthPort) { configuration.radius.authenticationPort = port }
        if let port = try port(.radiusAcctPort) { configuration.radius.accountingPort = port }
        return configuration
    }
}

/// A setting whose value cannot be read.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    /// Where the value came from: a flag, an environment variable, or a key in the config file.
    public let variable: String
    /// The text that was given (cut to 80 characters in the description).
    public let value: String
    /// What the value must be, worded to follow "it must be".
    public let expected: String

    public var description: String {
        "\(variable)='\(value.prefix(80))' cannot be used: it must be \(expected)."
    }
}
