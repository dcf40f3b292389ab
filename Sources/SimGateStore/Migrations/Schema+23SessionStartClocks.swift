extension Schema {
    /// Whether a session's start was read from its gateway's clock (Event-Timestamp) or from
    /// SimGate's (arrival): a report compared with the start on the other clock cannot be told
    /// older by one clock alone. Sessions stored before this say nothing (NULL), and are judged
    /// as before, by both clocks together.
    static let sessionStartClocks = Migration(version: 23, name: "session_start_clocks", statements: [
        "ALTER TABLE radius_sessions ADD COLUMN started_by_gateway_clock INTEGER",
    ])
}
