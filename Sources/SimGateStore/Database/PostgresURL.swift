import Foundation
import NIOSSL
import PostgresNIO

/// Turns a `postgres://` URL into the client's configuration.
enum PostgresURL {
    /// Milliseconds a connection may sit idle inside a transaction before PostgreSQL ends it.
    static let idleTransactionLimit = 30_000

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
        // URLComponents reads a port past 65535 modulo 2^16 and drops one past Int's range.
        if let port = components.port, !(1...65_535).contains(port) {
            throw StoreError.invalidConfiguration("The PostgreSQL URL's port \(port) is not between 1 and 65535")
        }
        // An empty port (`host:/db`) means the default one, as in any URL.
        if components.port == nil, let written = Self.writtenPort(in: url), !written.isEmpty {
            throw StoreError.invalidConfiguration("The PostgreSQL URL's port '\(written.prefix(20))' is not between 1 and 65535")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432,
            username: components.user?.removingPercentEncoding ?? "postgres",
            password: components.password?.removingPercentEncoding,
            database: database.isEmpty ? nil : database, tls: tls
        )
        // A unit of work never waits on anything but the database inside its transaction, so one
        // idle in it for long belongs to a process that froze (stopped, swapped out, cut off):
        // PostgreSQL ends it, and the rows it locked stop holding up every other instance.
        configuration.options.additionalStartupParameters = [("idle_in_transaction_session_timeout", "\(Self.idleTransactionLimit)")]
        if let schema = components.queryItems?.first(where: { $0.name == "search_path" })?.value, !schema.isEmpty {
            // Sent at connection start-up, so every connection of the pool sees the same schema.
            configuration.options.additionalStartupParameters.append(("search_path", schema))
        }
        return configuration
    }

    /// The text after the host's colon, if the URL gives a port at all.
    private static func writtenPort(in url: String) -> Substring? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostAndPort = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? authority
        // An IPv6 host is in brackets; its port, if any, follows the closing one.
        let afterHost = hostAndPort.lastIndex(of: "]").map { hostAndPort[hostAndPort.index(after: $0)...] } ?? hostAndPort
        guard let colon = afterHost.lastIndex(of: ":") else { return nil }
        return afterHost[afterHost.index(after: colon)...]
    }
}
