extension Schema {
    /// What rules remember of a SIM is forgotten when the SIM changes hands or gets a new
    /// bundle: found by the SIM, not scanned for.
    static let ruleStatesBySim = Migration(version: 22, name: "rule_states_by_sim", statements: [
        "CREATE INDEX rule_states_by_sim ON rule_states (sim_id)",
    ])
}
