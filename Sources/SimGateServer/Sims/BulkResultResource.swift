/// The answer to a bulk action: one entry per ICCID, in request order.
struct BulkResultResource: Codable, Equatable, Sendable {
    /// What became of one ICCID of the request.
    struct Entry: Codable, Equatable, Sendable {
        /// Why the action failed for this SIM.
        struct Failure: Codable, Equatable, Sendable {
            /// The error's machine-readable code, as in an error response.
            let code: String
            /// The error message, for people.
            let detail: String
            /// The holds that blocked the action, when the error names them; otherwise nil.
            let holds: [String]?
        }

        /// The SIM's ICCID, digits only.
        let iccid: String
        /// `succeeded` or `failed`.
        let status: String
        /// The SIM after the action; nil when it failed.
        let sim: SimResource?
        /// Why it failed; nil when it succeeded.
        let error: Failure?
    }

    /// Always `bulk_result`.
    let object: String
    /// The action requested (`activate`, `assign`, ...).
    let action: String
    /// How many SIMs the action succeeded for.
    let succeeded: Int
    /// How many SIMs it failed for.
    let failed: Int
    /// One entry per requested ICCID, in request order.
    let data: [Entry]

    /// Builds the answer from each SIM's outcome, counting successes and failures.
    init(action: BulkSimAction, outcomes: [BulkOutcome]) {
        object = "bulk_result"
        self.action = action.rawValue
        data = outcomes.map { outcome in
            switch outcome.result {
            case .success(let sim):
                Entry(iccid: outcome.iccid.digits, status: "succeeded", sim: SimResource(sim), error: nil)
            case .failure(let error):
                Entry(iccid: outcome.iccid.digits, status: "failed", sim: nil,
                      error: .init(code: error.code, detail: error.message, holds: error.details["holds"]))
            }
        }
        succeeded = data.filter { $0.status == "succeeded" }.count
        failed = data.count - succeeded
    }
}
