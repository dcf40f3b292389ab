extension Schema {
    /// Usage records kept by month, so that old months can be dropped whole and each month's
    /// indexes stay the size of a month.
    ///
    /// A sender's record id (`source`, `sender_id`) is unique in a table of its own,
    /// `usage_sender_keys`: a unique index on a partitioned table must include the partition
    /// key, which would let a resend with another end time in. RADIUS records have no sender
    /// id, so only usage sent through the API adds keys.
    ///
    /// On PostgreSQL `usage_records` becomes `PARTITION BY RANGE (ended_at)`, one partition a
    /// calendar month (UTC, epoch milliseconds), named `usage_records_YYYY_MM`: the months the
    /// stored records cover (at most two years back; older ones go to the default partition)
    /// through two months ahead. A daily job makes the months ahead from then on. SQLite keeps
    /// one table.
    static let usagePartitions = Migration(version: 16, name: "usage_partitions", statements: [
        """
        CREATE TABLE usage_sender_keys (
            source TEXT NOT NULL,
            sender_id TEXT NOT NULL,
            record_id TEXT NOT NULL,
            ended_at BIGINT NOT NULL,
            PRIMARY KEY (source, sender_id)
        )
        """,
        "CREATE INDEX usage_sender_keys_by_end ON usage_sender_keys (ended_at)",
        """
        INSERT INTO usage_sender_keys (source, sender_id, record_id, ended_at)
        SELECT source, sender_id, id, ended_at FROM usage_records WHERE sender_id IS NOT NULL
        """,
    ], postgresStatements: [
        "ALTER TABLE usage_records RENAME TO usage_records_unpartitioned",
        "DROP INDEX usage_records_by_sim",
        """
        CREATE TABLE usage_records (
            id TEXT NOT NULL,
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
            rat TEXT,
            CONSTRAINT usage_records_by_id PRIMARY KEY (id, ended_at)
        ) PARTITION BY RANGE (ended_at)
        """,
        "CREATE INDEX usage_records_by_sim ON usage_records (sim_id, ended_at)",
        "CREATE TABLE usage_records_default PARTITION OF usage_records DEFAULT",
        """
        DO $$
        DECLARE
            this_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
            first_end bigint;
            m date;
        BEGIN
            SELECT MIN(ended_at) INTO first_end FROM usage_records_unpartitioned;
            m := this_month;
            IF first_end IS NOT NULL THEN
                m := LEAST(this_month, GREATEST(this_month - interval '24 months',
                    date_trunc('month', to_timestamp(first_end / 1000.0) AT TIME ZONE 'UTC')));
            END IF;
            WHILE m <= this_month + interval '2 months' LOOP
                EXECUTE format('CREATE TABLE %I PARTITION OF usage_records FOR VALUES FROM (%s) TO (%s)',
                    'usage_records_' || to_char(m, 'YYYY_MM'),
                    (extract(epoch FROM m::timestamp) * 1000)::bigint,
                    (extract(epoch FROM (m + interval '1 month')::timestamp) * 1000)::bigint);
                m := m + interval '1 month';
            END LOOP;
        END $$
        """,
        """
        INSERT INTO usage_records (id, sim_id, account_id, source, sender_id, session_id, started_at, ended_at,
                                   bytes_up, bytes_down, mcc_mnc, imei, created_at, country, rat)
        SELECT id, sim_id, account_id, source, sender_id, session_id, started_at, ended_at,
               bytes_up, bytes_down, mcc_mnc, imei, created_at, country, rat
        FROM usage_records_unpartitioned
        """,
        "DROP TABLE usage_records_unpartitioned",
    ])
}
