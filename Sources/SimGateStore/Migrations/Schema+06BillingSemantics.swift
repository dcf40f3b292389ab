

extension Schema {
    /// Grace is computed, not stored: it depends on the paid period and the gateway's grace
    /// length, and a stored window would not stay right when facts arrive out of order. A
    /// binding keeps its latest failed payment instead, recovered here from the old window.
    static let billingSemantics = Migration(version: 6, name: "billing_semantics", statements: [
        "ALTER TABLE billing_bindings ADD COLUMN last_failure_at BIGINT",
        """
        UPDATE billing_bindings SET last_failure_at = grace_until - 1000 * (
            SELECT g.grace_seconds FROM payment_gateways g WHERE g.id = billing_bindings.gateway_id
        ) WHERE grace_until IS NOT NULL
        """,
        "ALTER TABLE billing_bindings DROP COLUMN grace_until",
        // Sessions are shown only to the account that held the SIM when they began.
        "ALTER TABLE radius_sessions ADD COLUMN account_id TEXT",
        "UPDATE radius_sessions SET account_id = (SELECT s.account_id FROM sims s WHERE s.id = radius_sessions.sim_id)",
        // Keys get a scope: `full`, or `read_only` (GET only).
        "ALTER TABLE api_keys ADD COLUMN scope TEXT NOT NULL DEFAULT 'full'",
    ])
}
