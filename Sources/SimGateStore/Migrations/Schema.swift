/// The schema, as the list of its migrations.
///
/// Portable SQL only: TEXT, BIGINT and INTEGER columns; times are BIGINT epoch milliseconds
/// (the two drivers store `Date` differently); JSON is TEXT; booleans are nullable times
/// (`revoked_at`) or INTEGER 0/1.
enum Schema {
    static let migrations: [Migration] = [foundation, payments, usage, usagePlaces, gateHardening, billingSemantics, typedJobs, usageGranularity]

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

    /// Where usage happens: the serving country on records, sessions and totals, where each SIM
    /// was last seen, the answers to Disconnect-Requests, and the account's interim interval.
    static let usagePlaces = Migration(version: 4, name: "usage_places", statements: [
        "ALTER TABLE sims ADD COLUMN seen_mcc_mnc TEXT",
        "ALTER TABLE sims ADD COLUMN seen_country TEXT",
        "ALTER TABLE sims ADD COLUMN seen_imei TEXT",
        "ALTER TABLE sims ADD COLUMN seen_since BIGINT",
        "ALTER TABLE accounts ADD COLUMN radius_interim_interval INTEGER",
        "ALTER TABLE usage_records ADD COLUMN country TEXT",
        "ALTER TABLE usage_records ADD COLUMN rat TEXT",
        "ALTER TABLE radius_sessions ADD COLUMN country TEXT",
        "ALTER TABLE radius_sessions ADD COLUMN rat TEXT",
        // The last Disconnect-Request sent for the session: `acked`, `nacked` or `no_answer`.
        "ALTER TABLE radius_sessions ADD COLUMN disconnect_outcome TEXT",
        "ALTER TABLE radius_sessions ADD COLUMN disconnect_error_cause INTEGER",
        "ALTER TABLE radius_sessions ADD COLUMN disconnect_at BIGINT",
        // Totals gain the country (empty when unknown) and the account that used the bytes, so
        // account-wide and per-country figures are read without scanning records. The key
        // changes, so the table is rebuilt; earlier totals keep their bytes with no country.
        """
        CREATE TABLE usage_totals_by_country (
            sim_id TEXT NOT NULL REFERENCES sims(id),
            account_id TEXT,
            period TEXT NOT NULL,
            country TEXT NOT NULL,
            bytes_up BIGINT NOT NULL,
            bytes_down BIGINT NOT NULL,
            PRIMARY KEY (sim_id, period, country)
        )
        """,
        """
        INSERT INTO usage_totals_by_country (sim_id, account_id, period, country, bytes_up, bytes_down)
        SELECT t.sim_id, s.account_id, t.period, '', t.bytes_up, t.bytes_down FROM usage_totals t JOIN sims s ON s.id = t.sim_id
        """,
        "DROP TABLE usage_totals",
        "ALTER TABLE usage_totals_by_country RENAME TO usage_totals",
        "CREATE INDEX usage_totals_by_account ON usage_totals (account_id, period)",
    ])

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

    /// Job payloads become JSON objects of their kind's parameters; jobs queued before carry
    /// the bare id they were about.
    static let typedJobs = Migration(version: 7, name: "typed_jobs", statements: [
        """
        UPDATE jobs SET payload = '{"sim":"' || payload || '"}'
        WHERE kind IN ('radius.disconnect', 'payment.evaluate') AND payload NOT LIKE '{%'
        """,
        """
        UPDATE jobs SET payload = '{"gateway_event":"' || payload || '"}'
        WHERE kind = 'gateway_event.apply' AND payload NOT LIKE '{%'
        """,
    ])

    /// Totals say whether they cover a day or a month, rather than leaving it to the length
    /// of their period key.
    static let usageGranularity = Migration(version: 8, name: "usage_granularity", statements: [
        "ALTER TABLE usage_totals ADD COLUMN granularity TEXT NOT NULL DEFAULT 'day'",
        "UPDATE usage_totals SET granularity = 'month' WHERE LENGTH(period) = 7",
        "CREATE INDEX usage_totals_by_account_granularity ON usage_totals (account_id, granularity, period)",
    ])
}
