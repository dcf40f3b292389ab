import Foundation
import NIOSSL
import PostgresNIO

/// Turns a `postgres://` URL into the client's configuration.
enum PostgresURL {
    /// Reads user, password, host, port (5432 by default), database name and an optional
    /// `search_path` (to keep SimGate's tables in a schema of their own). TLS is used only
    /// when the URL asks for it with `sslmode=require` (or `prefer`); SimGate's usual PostgreSQL
    /// is on the same host or private network.
    static func clientConfiguration(from url: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            throw StoreError.invalidConfiguration("Cannot read the PostgreSQL URL; expected postgres://user:password@host:port/database")
        }
        let sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "prefer": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw StoreError.invalidConfiguration("Unknown sslmode '\(sslMode)'; use disable, prefer or require")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432,
            username: components.user?.removingPercentEncoding ?? "postgres",
            password: components.password?.removingPercentEncoding,
            database: database.isEmpty ? nil : database, tls: tls
        )
        if let schema = components.queryItems?.first(where: { $0.name == "search_path" })?.value, !schema.isEmpty {
            // Sent at connection start-up, so every connection of the pool sees the same schema.
            configuration.options.additionalStartupParameters = [("search_path", schema)]
        }
        return configuration
    }
}
