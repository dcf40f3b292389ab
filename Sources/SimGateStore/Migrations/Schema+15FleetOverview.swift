extension Schema {
    /// What the dashboard's overview counts on every view, read from indexes alone: an
    /// account's SIMs by status, and holds by cause.
    static let fleetOverview = Migration(version: 15, name: "fleet_overview", statements: [
        "CREATE INDEX sims_by_account_status ON sims (account_id, status)",
        "CREATE INDEX sim_holds_by_cause ON sim_holds (cause, sim_id)",
    ])
}
