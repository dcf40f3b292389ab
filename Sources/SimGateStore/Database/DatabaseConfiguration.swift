import Foundation

/// Which database SimGate keeps its state in.
public enum DatabaseConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// An SQLite file (created if missing), opened in WAL mode.
    case sqlite(path: String)
    /// A PostgreSQL server, by `postgres://user:password@host:port/database[?sslmode=...]` URL.
    case postgres(url: String)

    /// Reads `--database` or `SIMGATE_DATABASE`: a `postgres://` or `postgresql://` URL, a
    /// `sqlite://PATH` or `sqlite:PATH` URL, or a plain file path for SQLite.
    public init(parsing text: String) {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(url: text)
        } else if text.hasPrefix("sqlite://") {
            self = .sqlite(path: String(text.dropFirst("sqlite://".count)))
        } else if text.hasPrefix("sqlite:") {
            self = .sqlite(path: String(text.dropFirst("sqlite:".count)))
        } else {
            self = .sqlite(path: text)
        }
    }

    /// Why this cannot be SimGate's database, if it cannot: SQLite's in-memory database (each
    /// connection would see an empty one of its own) or a URL of another kind (`mysql://`,
    /// `file:`), which would otherwise be taken for a relative file path.
    public var unusableBecause: String? {
        guard case .sqlite(let path) = self else { return nil }
        if path.isEmpty { return "a file path" }
        if path == ":memory:" || path.hasPrefix("file:") { return "a file path (an in-memory database or SQLite URI would be empty on every connection)" }
        if let scheme = path.range(of: "://"), !path[..<scheme.lowerBound].contains("/") {
            return "an SQLite file path or a postgres:// URL, not a \(path[..<scheme.lowerBound].prefix(20)):// URL"
        }
        return nil
    }

    /// A form safe to log: the PostgreSQL password is masked.
    public var description: String {
        switch self {
        case .sqlite(let path):
            return "sqlite:\(path)"
        case .postgres(let url):
            guard var components = URLComponents(string: url) else { return "postgres://…" }
            if components.password != nil { components.password = "****" }
            return components.string ?? "postgres://…"
        }
    }
}
