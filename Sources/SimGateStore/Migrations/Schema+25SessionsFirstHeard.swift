extension Schema {
    /// When SimGate first heard of a session, by its own clock: the first report's arrival less
    /// its Acct-Delay-Time. A report that adds bytes was made after it, so usage is dated no
    /// earlier than the earlier of it and the session's start. Sessions stored before this say
    /// nothing (NULL) and are bounded as before, by a start SimGate dated itself.
    static let sessionsFirstHeard = Migration(version: 25, name: "sessions_first_heard", statements: [
        "ALTER TABLE radius_sessions ADD COLUMN first_heard_at BIGINT",
    ])
}
