

extension Schema {
    /// Totals say whether they cover a day or a month, rather than leaving it to the length
    /// of their period key.
    static let usageGranularity = Migration(version: 8, name: "usage_granularity", statements: [
        "ALTER TABLE usage_totals ADD COLUMN granularity TEXT NOT NULL DEFAULT 'day'",
        "UPDATE usage_totals SET granularity = 'month' WHERE LENGTH(period) = 7",
        "CREATE INDEX usage_totals_by_account_granularity ON usage_totals (account_id, granularity, period)",
    ])
}
