extension Schema {
    /// When the gateway last said a binding's trial ended: a trial the merchant ended or cut
    /// short ends then, not at the end it was first granted to. Bindings stored before this
    /// say nothing (NULL) and keep the end they were granted.
    static let trialEnds = Migration(version: 27, name: "trial_ends", statements: [
        "ALTER TABLE billing_bindings ADD COLUMN trial_ended_at BIGINT",
    ])
}
