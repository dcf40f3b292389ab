import Foundation
import SimGateCore

/// A unit of durable work: run once at or after `runAt`, retried with backoff on failure.
public struct Job: Sendable, Equatable {
    /// Where a job is in its life.
    public enum State: String, Sendable {
        /// Waiting for `runAt`.
        case pending
        /// Claimed by a worker until its lease ends.
        case running
        /// Finished.
        case done
        /// Failed `maxAttempts` times; kept for a person to look at.
        case dead
    }

    /// The job's `job_...` identifier.
    public let id: JobID
    /// Names the handler that runs it, like `idempotency_keys.purge`.
    public let kind: String
    /// Handler-specific JSON.
    public let payload: String
    /// Where the job is in its life.
    public let state: State
    /// When the job is due; after a failure, when it may run again.
    public let runAt: Date
    /// Attempts started so far, this one included once claimed.
    public let attempts: Int
    /// Attempts allowed before the job is ``State/dead``.
    public let maxAttempts: Int
    /// The last failure's message, cut to 2,000 characters; `nil` if no attempt failed.
    public let lastError: String?
}

/// A job to put on the queue.
public struct NewJob: Sendable, Equatable {
    /// Names the handler that runs it, like `idempotency_keys.purge`.
    public var kind: String
    /// Handler-specific JSON; `{}` by default.
    public var payload: String
    /// The earliest time it may run.
    public var runAt: Date
    /// At most one job with this key exists at a time; enqueueing another is a no-op.
    public var uniqueKey: String?
    /// Attempts allowed before it is dead; 10 by default.
    public var maxAttempts: Int

    /// A job of `kind` due at `runAt`; the other parameters have the defaults above.
    public init(kind: String, payload: String = "{}", runAt: Date, uniqueKey: String? = nil, maxAttempts: Int = 10) {
        self.kind = kind
        self.payload = payload
        self.runAt = runAt
        self.uniqueKey = uniqueKey
        self.maxAttempts = maxAttempts
    }
}
