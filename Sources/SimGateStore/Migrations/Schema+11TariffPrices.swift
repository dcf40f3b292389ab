extension Schema {
    /// What tariffs cost: each price from the instant it takes effect, every one kept.
    static let tariffPrices = Migration(version: 11, name: "tariff_prices", statements: [
        """
        CREATE TABLE tariff_prices (
            tariff_number BIGINT NOT NULL REFERENCES tariffs (number),
            effective_from BIGINT NOT NULL,
            currency TEXT NOT NULL,
            monthly_fees TEXT NOT NULL,
            included_bytes BIGINT NOT NULL,
            data_price_per_mb BIGINT NOT NULL,
            data_pooled INTEGER NOT NULL,
            bundle_price BIGINT,
            top_up_price_per_mb BIGINT,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (tariff_number, effective_from)
        )
        """,
    ])
}
