

extension Schema {
    /// A job's unique key deduplicates only work still waiting: a finished disconnect must
    /// not stop the next one of the same SIM. SQLite cannot drop a column constraint, so the
    /// jobs table is rebuilt with a partial unique index instead. Sessions keep the User-Name
    /// and Framed-IP-Address a Disconnect-Request must name.
    static let gateHardening = Migration(version: 5, name: "gate_hardening", statements: [
        "ALTER TABLE radius_sessions ADD COLUMN user_name TEXT",
        "ALTER TABLE radius_sessions ADD COLUMN framed_ip_address TEXT",
        """
        CREATE TABLE jobs_pending_unique (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            unique_key TEXT,
            state TEXT NOT NULL,
            run_at BIGINT NOT NULL,
            attempts INTEGER NOT NULL,
            max_attempts INTEGER NOT NULL,
            locked_by TEXT,
            locked_until BIGINT,
            last_error TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        """
        INSERT INTO jobs_pending_unique (id, kind, payload, unique_key, state, run_at, attempts, max_attempts,
                                         locked_by, locked_until, last_error, created_at, updated_at)
        SELECT id, kind, payload, unique_key, state, run_at, attempts, max_attempts,
               locked_by, locked_until, last_error, created_at, updated_at FROM jobs
        """,
        "DROP TABLE jobs",
        "ALTER TABLE jobs_pending_unique RENAME TO jobs",
        "CREATE INDEX jobs_due ON jobs (state, run_at)",
        "CREATE UNIQUE INDEX jobs_pending_by_unique_key ON jobs (unique_key) WHERE state = 'pending'",
    ])
}
