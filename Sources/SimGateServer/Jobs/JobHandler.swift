import SimGateStore

/// Runs jobs of one kind. Throwing makes the scheduler retry the job with backoff.
public struct JobHandler: Sendable {
    /// The `kind` of jobs this runs.
    public let kind: String
    public let run: @Sendable (Job) async throws -> Void

    public init(kind: String, run: @escaping @Sendable (Job) async throws -> Void) {
        self.kind = kind
        self.run = run
    }
}
