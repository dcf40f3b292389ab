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

    public let id: JobID
    /// Names the handler that runs it, like `idempotency_keys.purge`.
    public let kind: String
    /// Handler-specific JSON.
    public let payload: String
    public let state: State
    public let runAt: Date
    /// Attempts started so far, this one included once claimed.
    public let attempts: Int
    public let maxAttempts: Int
    public let lastError: String?
}

/// A job to put on the queue.
public struct NewJob: Sendable, Equatable {
    public var kind: String
    public var payload: String
    public var runAt: Date
    /// At most one job with this key exists at a time; enqueueing another is a no-op.
    public var uniqueKey: String?
    public var maxAttempts: Int

    public init(kind: String, payload: String = "{}", runAt: Date, uniqueKey: String? = nil, maxAttempts: Int = 10) {
        self.kind = kind
        self.payload = payload
        self.runAt = runAt
        self.uniqueKey = uniqueKey
        self.maxAttempts = maxAttempts
    }
}
