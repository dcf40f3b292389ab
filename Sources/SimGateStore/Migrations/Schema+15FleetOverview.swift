extension Schema {
    /// What the dashboard's overview counts on every view, read from indexes: an account's
    /// SIMs by status, holds by cause, and an account's AOFU shutdowns by time.
    static let fleetOverview = Migration(version: 15, name: "fleet_overview", statements: [
        "CREATE INDEX sims_by_account_status ON sims (account_id, status)",
        "CREATE INDEX sim_holds_by_cause ON sim_holds (cause, sim_id)",
        "CREATE INDEX sims_by_account_shutdown ON sims (account_id, shutdown_at)",
    ])
}
