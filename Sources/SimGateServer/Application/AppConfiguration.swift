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
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> AppConfiguration {
        var configuration = AppConfiguration()
        if let host = environment["SIMGATE_HOST"] { configuration.host = host }
        if let port = environment["SIMGATE_PORT"].flatMap(Int.init) { configuration.port = port }
        if let database = environment["SIMGATE_DATABASE"] { configuration.database = DatabaseConfiguration(parsing: database) }
        let coaPort = environment["SIMGATE_RADIUS_COA_PORT"].flatMap(Int.init) ?? 3_799
        if let clients = environment["SIMGATE_RADIUS_CLIENTS"] {
            configuration.radius.clients = RADIUSSettings.clients(parsing: clients, coaPort: coaPort)
        }
        if let seconds = environment["SIMGATE_RADIUS_INTERIM_INTERVAL"].flatMap(UInt32.init), Account.interimIntervalRange.contains(Int(seconds)) {
            configuration.radius.interimInterval = seconds
        }
        if let host = environment["SIMGATE_RADIUS_HOST"] { configuration.radius.host = host }
        if let port = environment["SIMGATE_RADIUS_AUTH_PORT"].flatMap(Int.init) { configuration.radius.authenticationPort = port }
        if let port = environment["SIMGATE_RADIUS_ACCT_PORT"].flatMap(Int.init) { configuration.radius.accountingPort = port }
        return configuration
    }
}
