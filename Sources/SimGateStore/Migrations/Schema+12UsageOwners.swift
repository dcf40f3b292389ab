extension Schema {
    /// Usage totals are kept per account as well as per SIM, period and country: a SIM that
    /// changes hands mid-month starts new rows for its new owner, rather than adding the new
    /// owner's bytes to rows the former owner reads. The operator's stock is `''`, as a key
    /// column cannot be NULL. Rows written before this keep the bytes they already mixed.
    static let usageOwners = Migration(version: 12, name: "usage_owners", statements: [
        """
        CREATE TABLE usage_totals_by_owner (
            sim_id TEXT NOT NULL REFERENCES sims(id),
            account_id TEXT NOT NULL,
            period TEXT NOT NULL,
            granularity TEXT NOT NULL,
            country TEXT NOT NULL,
            bytes_up BIGINT NOT NULL,
            bytes_down BIGINT NOT NULL,
            PRIMARY KEY (sim_id, period, country, account_id)
        )
        """,
        """
        INSERT INTO usage_totals_by_owner (sim_id, account_id, period, granularity, country, bytes_up, bytes_down)
        SELECT sim_id, COALESCE(account_id, ''), period, granularity, country, bytes_up, bytes_down FROM usage_totals
        """,
        "DROP TABLE usage_totals",
        "ALTER TABLE usage_totals_by_owner RENAME TO usage_totals",
        "CREATE INDEX usage_totals_by_account ON usage_totals (account_id, period)",
        "CREATE INDEX usage_totals_by_account_granularity ON usage_totals (account_id, granularity, period)",
    ])
}
