extension Schema {
    /// What statements are made of: each SIM's periods under the same billing terms, and the
    /// frozen copies of closed months. A frozen statement's lines are written before its
    /// summary, in several units of work, under the freeze's own id: only the lines of the
    /// freeze whose summary was stored are ever read.
    ///
    /// SIMs that exist when this runs get one open period from their last status change: the
    /// history before it was not kept in a form a statement can read.
    static let statements = Migration(version: 13, name: "statements", statements: [
        """
        CREATE TABLE sim_periods (
            sim_id TEXT NOT NULL REFERENCES sims (id),
            started_at BIGINT NOT NULL,
            ended_at BIGINT,
            account_id TEXT,
            tariff_number BIGINT,
            status TEXT NOT NULL,
            hold_cause TEXT,
            PRIMARY KEY (sim_id, started_at)
        )
        """,
        "CREATE UNIQUE INDEX sim_periods_open ON sim_periods (sim_id) WHERE ended_at IS NULL",
        "CREATE INDEX sim_periods_by_account ON sim_periods (account_id, ended_at)",
        """
        INSERT INTO sim_periods (sim_id, started_at, ended_at, account_id, tariff_number, status, hold_cause)
        SELECT s.id, s.status_changed_at, NULL, s.account_id, s.tariff_number, s.status,
            CASE WHEN s.status = 'OFFLINE'
                THEN (SELECT h.cause FROM sim_holds h WHERE h.sim_id = s.id ORDER BY h.placed_at, h.cause LIMIT 1) END
        FROM sims s
        """,
        "CREATE INDEX bundle_changes_by_account ON bundle_changes (account_id, created_at)",
        """
        CREATE TABLE statements (
            account_id TEXT NOT NULL REFERENCES accounts (id),
            month TEXT NOT NULL,
            summary TEXT NOT NULL,
            freeze_id TEXT NOT NULL,
            frozen_at BIGINT NOT NULL,
            PRIMARY KEY (account_id, month)
        )
        """,
        """
        CREATE TABLE statement_lines (
            account_id TEXT NOT NULL,
            month TEXT NOT NULL,
            freeze_id TEXT NOT NULL,
            line_id TEXT NOT NULL,
            body TEXT NOT NULL,
            csv_row TEXT NOT NULL,
            PRIMARY KEY (account_id, month, freeze_id, line_id)
        )
        """,
    ])
}
