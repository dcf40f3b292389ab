

extension Schema {
    /// Version 2: payment gateways, billing bindings and received gateway events.
    static let payments = Migration(version: 2, name: "payments", statements: [
        """
        CREATE TABLE payment_gateways (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts(id),
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            secrets TEXT NOT NULL,
            grace_seconds BIGINT NOT NULL,
            cancellation TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX payment_gateways_by_account ON payment_gateways (account_id, id)",
        """
        CREATE TABLE billing_bindings (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts(id),
            gateway_id TEXT NOT NULL REFERENCES payment_gateways(id),
            subscription_id TEXT NOT NULL,
            sim_id TEXT NOT NULL REFERENCES sims(id),
            paid_until BIGINT,
            grace_until BIGINT,
            ended_at BIGINT,
            source TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            UNIQUE (gateway_id, subscription_id)
        )
        """,
        "CREATE INDEX billing_bindings_by_sim ON billing_bindings (sim_id)",
        "CREATE INDEX billing_bindings_by_account ON billing_bindings (account_id, id)",
        """
        CREATE TABLE gateway_events (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL,
            gateway_id TEXT NOT NULL REFERENCES payment_gateways(id),
            external_id TEXT NOT NULL,
            type TEXT NOT NULL,
            subscription_id TEXT,
            payload TEXT NOT NULL,
            received_at BIGINT NOT NULL,
            status TEXT NOT NULL,
            outcome TEXT,
            processed_at BIGINT,
            UNIQUE (gateway_id, external_id)
        )
        """,
        "CREATE INDEX gateway_events_by_account ON gateway_events (account_id, id)",
        "CREATE INDEX gateway_events_by_subscription ON gateway_events (gateway_id, subscription_id, status)",
    ])
}
