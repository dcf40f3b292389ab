extension Schema {
    /// Each usage total remembers the end of the latest record it counts (`last_data_at`), and
    /// the records lose their index by SIM.
    ///
    /// That index, `(sim_id, ended_at)`, served one read: when a SIM last passed data, for
    /// `no_data` rules. Yet every accounting update inserted into it at its SIM's own place,
    /// so a batch of reports from N SIMs rewrote about N of its pages, through the log and
    /// again at the checkpoint: without it, the CPU per update under an accounting flood fell
    /// by a quarter or more. The totals rows the same record adds to are rewritten anyway, so
    /// the time costs nothing there.
    ///
    /// On SQLite the table is also rebuilt without `UNIQUE (source, sender_id)`: since
    /// migration 16, `usage_sender_keys` holds that key on both engines, and the second index
    /// only cost an insert per record. On PostgreSQL migration 16 already dropped it.
    static let usageLastData = Migration(
        version: 19, name: "usage_last_data",
        statements: ["ALTER TABLE usage_totals ADD COLUMN last_data_at BIGINT"],
        postgresStatements: lastDataBackfill(day: "to_char(to_timestamp(ended_at / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')") + [
            "DROP INDEX usage_records_by_sim",
        ],
        sqliteStatements: lastDataBackfill(day: "strftime('%Y-%m-%d', ended_at / 1000.0, 'unixepoch')") + [
            """
            CREATE TABLE usage_records_rebuilt (
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
                country TEXT,
                rat TEXT
            )
            """,
            """
            INSERT INTO usage_records_rebuilt (id, sim_id, account_id, source, sender_id, session_id, started_at, ended_at,
                                               bytes_up, bytes_down, mcc_mnc, imei, created_at, country, rat)
            SELECT id, sim_id, account_id, source, sender_id, session_id, started_at, ended_at,
                   bytes_up, bytes_down, mcc_mnc, imei, created_at, country, rat
            FROM usage_records ORDER BY rowid
            """,
            "DROP TABLE usage_records",
            "ALTER TABLE usage_records_rebuilt RENAME TO usage_records",
        ]
    )

    /// Sets `last_data_at` on the totals stored before this migration: the latest end among
    /// the records each row counts (same SIM, owner, country and UTC day or month), found in
    /// one pass over the records per granularity. `day` is the engine's expression for a
    /// record's UTC day, `YYYY-MM-DD`.
    private static func lastDataBackfill(day: String) -> [String] {
        [(granularity: "day", length: 10), (granularity: "month", length: 7)].map { granularity, length in
            """
            UPDATE usage_totals SET last_data_at = latest.last_data_at
            FROM (
                SELECT sim_id, COALESCE(account_id, '') AS account_id, COALESCE(country, '') AS country,
                       substr(\(day), 1, \(length)) AS period, MAX(ended_at) AS last_data_at
                FROM usage_records GROUP BY 1, 2, 3, 4
            ) AS latest
            WHERE usage_totals.granularity = '\(granularity)' AND usage_totals.sim_id = latest.sim_id
              AND usage_totals.account_id = latest.account_id AND usage_totals.country = latest.country
              AND usage_totals.period = latest.period
            """
        }
    }
}
