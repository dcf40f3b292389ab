extension Schema {
    /// Indexes for reading a customer's fleet in pages by id (keyset, never offsets) whatever
    /// its size among the others: its SIMs by status, tariff and serving country, and its
    /// events by type. The status index also counts the dashboard's SIMs by status from the
    /// index alone. Holds by cause and an account's AOFU shutdowns by time serve the
    /// dashboard's overview.
    static let fleetOverview = Migration(version: 15, name: "fleet_overview", statements: [
        "CREATE INDEX sims_by_account_status ON sims (account_id, status, id)",
        "CREATE INDEX sims_by_account_tariff ON sims (account_id, tariff_number, id)",
        "CREATE INDEX sims_by_account_country ON sims (account_id, seen_country, id)",
        "CREATE INDEX events_by_account_type ON events (account_id, type, id)",
        "CREATE INDEX sim_holds_by_cause ON sim_holds (cause, sim_id)",
        "CREATE INDEX sims_by_account_shutdown ON sims (account_id, shutdown_at)",
    ])
}
