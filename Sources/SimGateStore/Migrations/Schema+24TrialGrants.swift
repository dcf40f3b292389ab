extension Schema {
    /// When a binding's trial was granted: a charge that fails while the trial runs ended it
    /// early, one that failed before it was granted does not. Bindings stored before this say
    /// nothing (NULL), and a failure before their trial's end ends it, as it did then.
    static let trialGrants = Migration(version: 24, name: "trial_grants", statements: [
        "ALTER TABLE billing_bindings ADD COLUMN trial_granted_at BIGINT",
    ])
}
