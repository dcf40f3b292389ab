import Foundation

/// When a failed delivery is tried again, and when an endpoint that keeps failing is turned
/// off. The schedule spreads 11 retries over about three days.
public struct WebhookRetryPolicy: Sendable, Equatable {
    /// The wait before each retry, in seconds: the first after attempt 1, and so on.
    public var schedule: [TimeInterval] = [5, 60, 300, 1_800, 7_200, 18_000, 36_000, 43_200, 43_200, 43_200, 64_800]
    /// How long an endpoint may fail every attempt before it is disabled, in seconds (5 days).
    public var disableAfter: TimeInterval = 5 * 86_400
    /// The longest `Retry-After` honoured, in seconds.
    public var longestRetryAfter: TimeInterval = 86_400

    /// The default schedule above.
    public init() {}

    /// Attempts in all: the first and one per retry.
    public var maximumAttempts: Int { schedule.count + 1 }

    /// When to try again after failed attempt number `attempt` (1-based) at `time`; `nil` when
    /// the attempts are spent. `retryAfter` is the endpoint's own wish, honoured up to
    /// ``longestRetryAfter``; `jitter` (0 to 1) spreads retries of failures that came together
    /// over 20% of the wait.
    public func nextAttempt(after attempt: Int, at time: Date, retryAfter: TimeInterval?, jitter: Double) -> Date? {
        guard attempt >= 1, attempt <= schedule.count else { return nil }
        let planned = schedule[attempt - 1] * (0.9 + 0.2 * min(max(jitter, 0), 1))
        let wished = retryAfter.map { min(max($0, 0), longestRetryAfter) } ?? 0
        return time + max(planned, wished)
    }
}
