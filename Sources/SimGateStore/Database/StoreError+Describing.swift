import PostgresNIO

extension StoreError {
    /// A failure as a job's stored error and the log may say it. PostgreSQL's errors describe
    /// themselves only as a generic line meant to hide details (a failed job read "PSQLError –
    /// Generic description to prevent accidental leakage..."); here they say their SQLSTATE and
    /// the server's message, which name the fault (a NUL in text, a value past a column's
    /// range).
    public static func describing(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        guard let server = error.serverInfo else { return "PostgreSQL: \(error.code)" }
        return "PostgreSQL \(server[.sqlState] ?? "error"): \(server[.message] ?? "\(error.code)")"
    }
}
