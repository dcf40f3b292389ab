

extension Schema {
    /// Version 1: accounts, API keys, SIMs with labels and holds, events, jobs, idempotency keys.
    static let foundation = Migration(version: 1, name: "foundation", statements: [
        """
        CREATE TABLE accounts (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            created_at BIGINT NOT NULL
        )
        """,
        // At most one operator account, even when several instances start together.
        "CREATE UNIQUE INDEX accounts_one_operator ON accounts (role) WHERE role = 'operator'",
        """
        CREATE TABLE api_keys (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts(id),
            name TEXT NOT NULL,
            secret_hash TEXT NOT NULL,
            redacted_secret TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            revoked_at BIGINT
        )
        """,
        "CREATE INDEX api_keys_by_account ON api_keys (account_id, id)",
        """
        CREATE TABLE sims (
            id TEXT PRIMARY KEY,
            iccid TEXT NOT NULL UNIQUE,
            imsi TEXT NOT NULL UNIQUE,
            msisdn TEXT UNIQUE,
            eid TEXT,
            serial_number TEXT NOT NULL,
            imei TEXT,
            account_id TEXT REFERENCES accounts(id),
            status TEXT NOT NULL,
            tariff_number BIGINT,
            labels TEXT NOT NULL,
            metadata TEXT NOT NULL,
            first_use_at BIGINT,
            status_changed_at BIGINT NOT NULL,
            status_actor_kind TEXT NOT NULL,
            status_actor_id TEXT,
            status_reason TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX sims_by_account ON sims (account_id, id)",
        "CREATE INDEX sims_by_status ON sims (status, id)",
        "CREATE INDEX sims_by_imei ON sims (imei)",
        """
        CREATE TABLE sim_labels (
            sim_id TEXT NOT NULL REFERENCES sims(id),
            label TEXT NOT NULL,
            PRIMARY KEY (sim_id, label)
        )
        """,
        "CREATE INDEX sim_labels_by_label ON sim_labels (label, sim_id)",
        """
        CREATE TABLE sim_holds (
            sim_id TEXT NOT NULL REFERENCES sims(id),
            cause TEXT NOT NULL,
            placed_at BIGINT NOT NULL,
            actor_kind TEXT NOT NULL,
            actor_id TEXT,
            reason TEXT,
            PRIMARY KEY (sim_id, cause)
        )
        """,
        """
        CREATE TABLE events (
            id TEXT PRIMARY KEY,
            type TEXT NOT NULL,
            account_id TEXT,
            sim_id TEXT,
            object TEXT NOT NULL,
            previous_attributes TEXT,
            actor_kind TEXT NOT NULL,
            actor_id TEXT,
            reason TEXT,
            created_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX events_by_account ON events (account_id, id)",
        "CREATE INDEX events_by_sim ON events (sim_id, id)",
        "CREATE INDEX events_by_type ON events (type, id)",
        """
        CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            unique_key TEXT UNIQUE,
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
        "CREATE INDEX jobs_due ON jobs (state, run_at)",
        """
        CREATE TABLE idempotency_keys (
            account_id TEXT NOT NULL,
            idempotency_key TEXT NOT NULL,
            request_hash TEXT NOT NULL,
            response_status INTEGER,
            response_body TEXT,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (account_id, idempotency_key)
        )
        """,
        "CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at)",
    ])
}
