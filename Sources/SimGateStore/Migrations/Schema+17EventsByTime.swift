extension Schema {
    /// Events in a time window (`created[gte]`, `created[lt]`...) read in time order from an
    /// index, an account's and the operator's, at any distance back.
    static let eventsByTime = Migration(version: 17, name: "events_by_time", statements: [
        "CREATE INDEX events_by_account_time ON events (account_id, created_at, id)",
        "CREATE INDEX events_by_time ON events (created_at, id)",
    ])
}
