import SimGateStore

/// Runs jobs of one kind. Throwing makes the scheduler retry the job with backoff.
public struct JobHandler: Sendable {
    /// The `kind` of jobs this runs.
    public let kind: String
    /// Runs one job; throwing fails the attempt, and the job is retried.
    public let run: @Sendable (Job) async throws -> Void

    /// A handler that runs jobs of `kind` with `run`.
    public init(kind: String, run: @escaping @Sendable (Job) async throws -> Void) {
        self.kind = kind
        self.run = run
    }
}
