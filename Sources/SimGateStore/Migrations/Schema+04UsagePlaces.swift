

extension Schema {
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
}
