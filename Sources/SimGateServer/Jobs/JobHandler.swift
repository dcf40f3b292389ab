import SimGateStore

/// Runs jobs of one kind. Throwing makes the scheduler retry the job with backoff.
public struct JobHandler: Sendable {
    /// The `kind` of jobs this runs.
    public let kind: String
    /// Runs one job; throwing fails the attempt, and the job is retried.
    public let run: @Sendable (Job) async throws -> Void
    /// Runs several jobs of the kind in one unit of work, for kinds that fall due by the
    /// thousand (AOFU shutdowns); `nil` when jobs run one by one. If it throws, each job is run
    /// again on its own, so one bad job fails alone.
    public let runBatch: (@Sendable ([Job]) async throws -> Void)?
    /// Whether its jobs wait on the network (a gateway's answer, for seconds): the background
    /// loop then runs them beside the jobs it claims next, so their waiting holds none up.
    public var runsApart = false

    /// A handler that runs jobs of `kind` with `run`, and batches of them with `runBatch`.
    public init(kind: String, run: @escaping @Sendable (Job) async throws -> Void, runBatch: (@Sendable ([Job]) async throws -> Void)? = nil) {
        self.kind = kind
        self.run = run
        self.runBatch = runBatch
    }

    /// This handler, its jobs run apart from the others (see ``runsApart``).
    public func apart() -> JobHandler {
        var handler = self
        handler.runsApart = true
        return handler
    }
}
