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
    /// Whether to create the operator account on an empty database and print its key.
    public var bootstrapOperator = true
    /// The RADIUS AAA server for the data network.
    public var radius = RADIUSSettings()

    public init() {}

    /// Reads `SIMGATE_HOST`, `SIMGATE_PORT`, `SIMGATE_DATABASE`, `SIMGATE_RADIUS_HOST`,
    /// `SIMGATE_RADIUS_AUTH_PORT`, `SIMGATE_RADIUS_ACCT_PORT`, `SIMGATE_RADIUS_CLIENTS`,
    /// `SIMGATE_RADIUS_COA_PORT` and `SIMGATE_RADIUS_INTERIM_INTERVAL` over the defaults.
    /// - Throws: ``ConfigurationError`` naming the variable when a value cannot be read: a
    ///   mistyped setting stops start-up rather than quietly becoming its default.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> AppConfiguration {
        var configuration = AppConfiguration()
        func port(_ name: String) throws -> Int? {
            guard let text = environment[name] else { return nil }
            guard let port = Int(text), (0...65_535).contains(port) else {
                throw ConfigurationError(variable: name, value: text, expected: "a port number from 0 to 65535")
            }
            return port
        }
        func nonEmpty(_ name: String) throws -> String? {
            guard let text = environment[name] else { return nil }
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ConfigurationError(variable: name, value: text, expected: "a value that is not empty")
            }
            return text
        }
        if let host = try nonEmpty("SIMGATE_HOST") { configuration.host = host }
        if let port = try port("SIMGATE_PORT") { configuration.port = port }
        if let database = try nonEmpty("SIMGATE_DATABASE") { configuration.database = DatabaseConfiguration(parsing: database) }
        let coaPort = try port("SIMGATE_RADIUS_COA_PORT") ?? 3_799
        if let clients = environment["SIMGATE_RADIUS_CLIENTS"] {
            do {
                configuration.radius.clients = try RADIUSSettings.clients(parsing: clients, coaPort: coaPort)
            } catch let error as RADIUSSettings.ClientEntryError {
                throw ConfigurationError(variable: "SIMGATE_RADIUS_CLIENTS", value: error.entry, expected: "address=secret entries, the address an IP or an IPv4 network such as 10.20.0.0/16")
            }
        }
        if let text = environment["SIMGATE_RADIUS_INTERIM_INTERVAL"] {
            guard let seconds = UInt32(text), Account.interimIntervalRange.contains(Int(seconds)) else {
                throw ConfigurationError(
                    variable: "SIMGATE_RADIUS_INTERIM_INTERVAL", value: text,
                    expected: "whole seconds from \(Account.interimIntervalRange.lowerBound) to \(Account.interimIntervalRange.upperBound)"
                )
            }
            configuration.radius.interimInterval = seconds
        }
        if let host = try nonEmpty("SIMGATE_RADIUS_HOST") { configuration.radius.host = host }
        if let port = try port("SIMGATE_RADIUS_AUTH_PORT") { configuration.radius.authenticationPort = port }
        if let port = try port("SIMGATE_RADIUS_ACCT_PORT") { configuration.radius.accountingPort = port }
        return configuration
    }
}

/// A setting whose value cannot be read.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let variable: String
    public let value: String
    public let expected: String

    public var description: String {
        "\(variable)='\(value.prefix(80))' cannot be used: it must be \(expected)."
    }
}
