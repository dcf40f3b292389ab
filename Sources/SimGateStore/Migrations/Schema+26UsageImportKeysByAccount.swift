extension Schema {
    /// The ids of records imported from CSV files (`simgate usage import`) are kept per account:
    /// they were one namespace for every account, so when the operator imported two customers'
    /// files that both used an id such as `c1`, the second customer's record was taken for a
    /// resend and dropped. Keys stored before are moved to the account their record counts for,
    /// so a file imported before this is still recognised when imported again. A key whose
    /// record is gone (its month dropped by retention) keeps its old form, which nothing makes
    /// any more.
    static let usageImportKeysByAccount = Migration(version: 26, name: "usage_import_keys_by_account", statements: [
        """
        UPDATE usage_sender_keys
        SET sender_id = COALESCE(
                (SELECT r.account_id FROM usage_records r WHERE r.id = usage_sender_keys.record_id AND r.ended_at = usage_sender_keys.ended_at),
                'stock'
            ) || ':' || substr(sender_id, 5)
        WHERE source = 'csv' AND sender_id LIKE 'csv:%'
          AND EXISTS (SELECT 1 FROM usage_records r WHERE r.id = usage_sender_keys.record_id AND r.ended_at = usage_sender_keys.ended_at)
        """,
    ])
}
