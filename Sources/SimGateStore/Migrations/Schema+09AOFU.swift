extension Schema {
    /// Activate On First Use: tariffs and who may use them, each SIM's shutdown threshold and
    /// data bundle (size and use, only ever changed by adding), the bundle's history, the OAuth
    /// clients and tokens of the Cellhire-compatible API, and its submission tickets.
    static let activateOnFirstUse = Migration(version: 9, name: "activate_on_first_use", statements: [
        """
        CREATE TABLE tariffs (
            number BIGINT PRIMARY KEY,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE tariff_accounts (
            tariff_number BIGINT NOT NULL REFERENCES tariffs (number),
            account_id TEXT NOT NULL REFERENCES accounts (id),
            PRIMARY KEY (tariff_number, account_id)
        )
        """,
        "ALTER TABLE sims ADD COLUMN shutdown_threshold_hours BIGINT",
        "ALTER TABLE sims ADD COLUMN shutdown_at BIGINT",
        "ALTER TABLE sims ADD COLUMN bundle_bytes BIGINT",
        "ALTER TABLE sims ADD COLUMN bundle_used_bytes BIGINT",
        "CREATE INDEX sims_by_shutdown ON sims (shutdown_at)",
        "CREATE INDEX sims_by_serial_number ON sims (account_id, serial_number)",
        """
        CREATE TABLE bundle_changes (
            id TEXT PRIMARY KEY,
            sim_id TEXT NOT NULL REFERENCES sims (id),
            account_id TEXT,
            kind TEXT NOT NULL,
            bytes BIGINT NOT NULL,
            actor_kind TEXT NOT NULL,
            actor_id TEXT,
            reason TEXT,
            created_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX bundle_changes_by_sim ON bundle_changes (sim_id, created_at)",
        """
        CREATE TABLE api_clients (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts (id),
            name TEXT NOT NULL,
            secret_hash TEXT NOT NULL,
            redacted_secret TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            revoked_at BIGINT
        )
        """,
        """
        CREATE TABLE access_tokens (
            token_hash TEXT PRIMARY KEY,
            client_id TEXT NOT NULL REFERENCES api_clients (id),
            expires_at BIGINT NOT NULL,
            created_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX access_tokens_by_expiry ON access_tokens (expires_at)",
        """
        CREATE TABLE submission_tickets (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts (id),
            client_id TEXT NOT NULL,
            type TEXT NOT NULL,
            payload TEXT NOT NULL,
            status TEXT NOT NULL,
            created_on BIGINT NOT NULL,
            created_by TEXT NOT NULL,
            completed_on BIGINT,
            error_id BIGINT,
            error_text TEXT
        )
        """,
    ])
}
