extension Schema {
    /// Each `Idempotency-Key` claim is one request's: `claim_token` names it, and
    /// `effect_committed` is set (to 1) inside every unit of work that request commits. A claim
    /// left without an answer by an instance that died can then be taken over when nothing of it
    /// was committed, and told apart from one whose work was done but whose answer was lost.
    static let idempotencyClaims = Migration(version: 20, name: "idempotency_claims", statements: [
        "ALTER TABLE idempotency_keys ADD COLUMN claim_token TEXT",
        "ALTER TABLE idempotency_keys ADD COLUMN effect_committed INTEGER NOT NULL DEFAULT 0",
        // A claim left unanswered by an earlier build may have committed its work: nothing says
        // otherwise, so it is never run again (`idempotency_key_interrupted`).
        "UPDATE idempotency_keys SET effect_committed = 1 WHERE response_status IS NULL",
    ])
}
