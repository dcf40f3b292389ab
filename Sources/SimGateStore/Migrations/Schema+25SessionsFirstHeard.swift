extension Schema {
    /// When SimGate first heard of a session, by its own clock: the first report's arrival less
    /// its Acct-Delay-Time. A report that adds bytes was made after it, whatever the gateway's
    /// clock says, so usage is dated no earlier. Sessions stored before this say nothing
    /// (NULL) and are bounded as before, by a start SimGate dated itself.
    ///
    /// On PostgreSQL a Disconnect-ACK's or -NAK's Error-Cause, 32 bits unsigned, outgrew the
    /// column's signed 32 bits (an answer of 2^31 or more was never stored and its job died);
    /// SQLite's INTEGER already holds 64.
    static let sessionsFirstHeard = Migration(
        version: 25, name: "sessions_first_heard",
        statements: ["ALTER TABLE radius_sessions ADD COLUMN first_heard_at BIGINT"],
        postgresStatements: ["ALTER TABLE radius_sessions ALTER COLUMN disconnect_error_cause TYPE BIGINT"]
    )
}
