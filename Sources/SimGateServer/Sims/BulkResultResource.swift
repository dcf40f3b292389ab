/// The answer to a bulk action: one entry per ICCID, in request order.
struct BulkResultResource: Codable, Equatable, Sendable {
    struct Entry: Codable, Equatable, Sendable {
        struct Failure: Codable, Equatable, Sendable {
            let code: String
            let detail: String
            let holds: [String]?
        }

        let iccid: String
        let status: String
        let sim: SimResource?
        let error: Failure?
    }

    let object: String
    let action: String
    let succeeded: Int
    let failed: Int
    let data: [Entry]

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
