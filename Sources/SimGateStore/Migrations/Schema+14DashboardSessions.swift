extension Schema {
    /// Dashboard sign-ins: a session per browser, found by the hash of its cookie (the cookie
    /// itself is never stored), acting with the API key it signed in with.
    static let dashboardSessions = Migration(version: 14, name: "dashboard_sessions", statements: [
        """
        CREATE TABLE dashboard_sessions (
            token_hash TEXT PRIMARY KEY,
            key_id TEXT NOT NULL REFERENCES api_keys (id),
            csrf_token TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX dashboard_sessions_by_expiry ON dashboard_sessions (expires_at)",
    ])
}
