extension Schema {
    /// A trial's end is kept apart from the paid period's: a first charge that fails after a
    /// trial opens no grace, so the two must be told apart. Rows written before this kept a
    /// trial in `paid_until`; nothing tells those apart now, so they stay as they were.
    static let trials = Migration(version: 21, name: "trials", statements: [
        "ALTER TABLE billing_bindings ADD COLUMN trial_until BIGINT",
    ])
}
