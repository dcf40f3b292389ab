import Foundation
import SimGateStore

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

    public init() {}

    /// Reads `SIMGATE_HOST`, `SIMGATE_PORT` and `SIMGATE_DATABASE` over the defaults.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> AppConfiguration {
        var configuration = AppConfiguration()
        if let host = environment["SIMGATE_HOST"] { configuration.host = host }
        if let port = environment["SIMGATE_PORT"].flatMap(Int.init) { configuration.port = port }
        if let database = environment["SIMGATE_DATABASE"] { configuration.database = DatabaseConfiguration(parsing: database) }
        return configuration
    }
}
