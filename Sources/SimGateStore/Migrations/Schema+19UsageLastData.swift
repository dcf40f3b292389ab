extension Schema {
    /// Each usage total remembers the end of the latest record it counts (`last_data_at`), and
    /// the records lose their index by SIM.
    ///
    /// That index, `(sim_id, ended_at)`, served one read: when a SIM last passed data, for
    /// `no_data` rules. Yet every accounting update inserted into it at its SIM's own place,
    /// so a batch of reports from N SIMs rewrote about N of its pages, through the log and
    /// again at the checkpoint: without it, the CPU per update under an accounting flood fell
    /// by 15-30% (the more, the more records). The totals rows the same record adds to are rewritten anyway, so
    /// the time costs nothing there.
    ///
    /// On SQLite the table is also rebuilt without `UNIQUE (source, sender_id)`: since
    /// migration 16, `usage_sender_keys` holds that key on both engines, and the second index
    /// only cost an insert per record. On PostgreSQL migration 16 already dropped it.
    static let usageLastData = Migration(
        version: 19, name: "usage_last_data",
        statements: ["ALTER TABLE usage_totals ADD COLUMN last_data_at BIGINT"],
        postgresStatements: lastDataBackfill(
            epochSeconds: { "extract(epoch FROM \($0))" },
            day: ("usage_totals.period::date", "(usage_totals.period::date + 1)"),
            month: ("(usage_totals.period || '-01')::date", "((usage_totals.period || '-01')::date + interval '1 month')")
        ) + [
            "DROP INDEX usage_records_by_sim",
        ],
        sqliteStatements: lastDataBackfill(
            epochSeconds: { "unixepoch(\($0))" },
            day: ("usage_totals.period", "usage_totals.period, '+1 day'"),
            month: ("usage_totals.period || '-01'", "usage_totals.period || '-01', '+1 month'")
        ) + [
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
            "ALTER TABLE usage_records RENAME TO usage_records_replaced",
            "ALTER TABLE usage_records_rebuilt RENAME TO usage_records",
        ],
        // Dropped inside the migration's transaction, the old table's pages were all held in
        // memory until the commit: 300 MB for 1.2 million records.
        sqliteAfterCommit: ["DROP TABLE IF EXISTS usage_records_replaced"]
    )

    /// Sets `last_data_at` on the totals stored before this migration: the latest end among
    /// the records each row counts (same SIM, owner and country, ending within its UTC day or
    /// month). Each row reads only its SIM's records of its period, through the index by SIM
    /// that is dropped next, so the work grows with the records and nothing is sorted (a
    /// `GROUP BY` over every record held a sort of them all in memory). `day` and `month` are
    /// the engine's start of the row's period and of the next; `epochSeconds` makes one of
    /// those a count of seconds since 1970 (UTC).
    private static func lastDataBackfill(
        epochSeconds: (String) -> String, day: (start: String, end: String), month: (start: String, end: String)
    ) -> [String] {
        [("day", day), ("month", month)].map { granularity, period in
            """
            UPDATE usage_totals SET last_data_at = (
                SELECT MAX(r.ended_at) FROM usage_records r
                WHERE r.sim_id = usage_totals.sim_id
                  AND r.ended_at >= CAST(\(epochSeconds(period.start)) * 1000 AS BIGINT)
                  AND r.ended_at < CAST(\(epochSeconds(period.end)) * 1000 AS BIGINT)
                  AND COALESCE(r.account_id, '') = usage_totals.account_id AND COALESCE(r.country, '') = usage_totals.country
            )
            WHERE granularity = '\(granularity)'
            """
        }
    }
}
