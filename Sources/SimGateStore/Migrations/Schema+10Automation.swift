extension Schema {
    /// Workflow automation: webhook endpoints (secrets sealed), their deliveries (the outbox,
    /// written with the events) and every attempt; rules and, per rule and SIM, when each
    /// fired and when it may fire again.
    static let automation = Migration(version: 10, name: "automation", statements: [
        """
        CREATE TABLE webhook_endpoints (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts (id),
            url TEXT NOT NULL,
            description TEXT,
            event_types TEXT NOT NULL,
            status TEXT NOT NULL,
            disabled_reason TEXT,
            disabled_at BIGINT,
            ordered INTEGER NOT NULL,
            max_concurrency INTEGER NOT NULL,
            failing_since BIGINT,
            secret TEXT NOT NULL,
            previous_secret TEXT,
            previous_secret_expires_at BIGINT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX webhook_endpoints_by_account ON webhook_endpoints (account_id, status)",
        """
        CREATE TABLE webhook_deliveries (
            id TEXT PRIMARY KEY,
            endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id),
            account_id TEXT NOT NULL,
            message_id TEXT NOT NULL,
            event_type TEXT NOT NULL,
            payload TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            next_attempt_at BIGINT,
            locked_by TEXT,
            locked_until BIGINT,
            last_status INTEGER,
            last_error TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            delivered_at BIGINT,
            UNIQUE (endpoint_id, message_id)
        )
        """,
        "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at)",
        "CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, state, id)",
        """
        CREATE TABLE webhook_attempts (
            id TEXT PRIMARY KEY,
            delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id),
            endpoint_id TEXT NOT NULL,
            attempted_at BIGINT NOT NULL,
            status_code INTEGER,
            latency_ms BIGINT NOT NULL,
            response_excerpt TEXT,
            error TEXT
        )
        """,
        "CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (delivery_id, id)",
        """
        CREATE TABLE rules (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts (id),
            name TEXT NOT NULL,
            enabled INTEGER NOT NULL,
            trigger_type TEXT NOT NULL,
            definition TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX rules_by_account ON rules (account_id, enabled)",
        """
        CREATE TABLE rule_states (
            rule_id TEXT NOT NULL,
            sim_id TEXT NOT NULL,
            fired_count BIGINT NOT NULL,
            last_fired_at BIGINT,
            rearms_at BIGINT,
            last_window TEXT,
            PRIMARY KEY (rule_id, sim_id)
        )
        """,
    ])
}
