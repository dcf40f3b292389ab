

extension Schema {
    /// Version 3: RADIUS sessions, usage records and per-SIM usage totals.
    static let usage = Migration(version: 3, name: "usage", statements: [
        """
        CREATE TABLE radius_sessions (
            nas TEXT NOT NULL,
            session_id TEXT NOT NULL,
            sim_id TEXT NOT NULL REFERENCES sims(id),
            client_address TEXT NOT NULL,
            started_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            stopped_at BIGINT,
            input_bytes BIGINT NOT NULL,
            output_bytes BIGINT NOT NULL,
            mcc_mnc TEXT,
            imei TEXT,
            PRIMARY KEY (nas, session_id)
        )
        """,
        "CREATE INDEX radius_sessions_open_by_sim ON radius_sessions (sim_id, stopped_at)",
        """
        CREATE TABLE usage_records (
            id TEXT PRIMARY KEY,
            sim_id TEXT NOT NULL REFERENCES sims(id),
            account_id TEXT,
            source TEXT NOT NULL,
            sender_id TEXT,
            session_id TEXT,
            started_at BIGINT NOT NULL,
            ended_at BIGINT NOT NULL,
            bytes_up BIGINT NOT NULL,
            bytes_down BIGINT NOT NULL,
            mcc_mnc TEXT,
            imei TEXT,
            created_at BIGINT NOT NULL,
            UNIQUE (source, sender_id)
        )
        """,
        "CREATE INDEX usage_records_by_sim ON usage_records (sim_id, ended_at)",
        """
        CREATE TABLE usage_totals (
            sim_id TEXT NOT NULL REFERENCES sims(id),
            period TEXT NOT NULL,
            bytes_up BIGINT NOT NULL,
            bytes_down BIGINT NOT NULL,
            PRIMARY KEY (sim_id, period)
        )
        """,
    ])
}
