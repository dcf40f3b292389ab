import Foundation
import SimGateCore
import SQLKit

/// A delivery claimed for an attempt, with the endpoint it goes to.
public struct ClaimedDelivery: Sendable {
    /// The delivery, its attempt count including this one.
    public let delivery: WebhookDelivery
    /// Its endpoint as it is now (URL and secrets may have changed since it was queued).
    public let endpoint: WebhookEndpoint
}

/// How an attempt ended, to record.
public struct AttemptOutcome: Sendable {
    /// The attempt for the log.
    public let attempt: WebhookAttempt
    /// Whether the endpoint answered 2xx.
    public let succeeded: Bool
    /// When to try again; `nil` when it succeeded or the attempts are spent.
    public let retryAt: Date?
    /// Disable the endpoint with this reason (410 Gone, or days of failures).
    public let disableReason: String?

    /// An outcome with every part given.
    public init(attempt: WebhookAttempt, succeeded: Bool, retryAt: Date?, disableReason: String?) {
        self.attempt = attempt
        self.succeeded = succeeded
        self.retryAt = retryAt
        self.disableReason = disableReason
    }
}

/// The deliveries' own queue: the dispatcher claims due deliveries in transactions of their
/// own, at most each endpoint's concurrency at a time, and for an ordered endpoint only its
/// oldest unfinished delivery. On PostgreSQL `SKIP LOCKED` lets instances claim side by side.
public struct WebhookOutbox: Sendable {
    private let store: Store
    private var database: SimGateDatabase { store.database }

    /// The outbox of `store`.
    init(store: Store) {
        self.store = store
    }

    /// Claims up to `limit` due deliveries for `worker` until `now + lease`, leaving out
    /// `busy` endpoints (this worker's full ones).
    public func claim(limit: Int, worker: String, now: Date, lease: TimeInterval, busy: Set<WebhookEndpointID>) async throws -> [ClaimedDelivery] {
        let engine = database.engine
        let excluded: SQLQueryString = busy.isEmpty ? "" : "AND d.endpoint_id NOT IN (\(busy.sorted().map { "\(bind: $0.rawValue)" as SQLQueryString }.joined(separator: ", ")))"
        return try await database.sqlTransaction { db in
            // Per endpoint, the due deliveries ranked oldest first, kept up to the endpoint's
            // concurrency less what is in flight; an ordered endpoint's only when nothing older
            // is unfinished.
            let candidates: SQLQueryString = """
                SELECT id FROM (
                    SELECT d.id, d.next_attempt_at, e.max_concurrency,
                           ROW_NUMBER() OVER (PARTITION BY d.endpoint_id ORDER BY d.id) AS position,
                           (SELECT COUNT(*) FROM webhook_deliveries f WHERE f.endpoint_id = d.endpoint_id AND f.state = 'delivering'
                                AND f.locked_until >= \(bind: now.stored)) AS in_flight
                    FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
                    WHERE e.status = 'enabled'
                      AND ((d.state = 'pending' AND d.next_attempt_at <= \(bind: now.stored))
                           OR (d.state = 'delivering' AND d.locked_until < \(bind: now.stored)))
                      \(excluded)
                      AND (e.ordered = 0 OR NOT EXISTS (
                          SELECT 1 FROM webhook_deliveries o WHERE o.endpoint_id = d.endpoint_id AND o.id < d.id
                              AND (o.state = 'pending' OR (o.state = 'delivering' AND o.locked_until >= \(bind: now.stored)))))
                ) ranked
                WHERE position + in_flight <= max_concurrency
                ORDER BY next_attempt_at LIMIT \(bind: limit)
                """
            let chosen: SQLQueryString = switch engine {
            case .sqlite: candidates
            case .postgres: "SELECT id FROM webhook_deliveries WHERE id IN (\(candidates)) \(unsafeRaw: engine.skipLockedClause)"
            }
            let rows = try await db.raw("""
                UPDATE webhook_deliveries SET state = 'delivering', locked_by = \(bind: worker), locked_until = \(bind: (now + lease).stored),
                       attempts = attempts + 1, updated_at = \(bind: now.stored)
                WHERE id IN (\(chosen))
                RETURNING *
                """).all()
            let deliveries = try rows.map(WebhookRepository.delivery).sorted { $0.id < $1.id }
            guard !deliveries.isEmpty else { return [] }
            let endpoints = try await db.select().column("*").from("webhook_endpoints")
                .where("id", .in, Set(deliveries.map(\.endpointID.rawValue)).sorted()).all().map(WebhookRepository.endpoint)
            let byID = Dictionary(uniqueKeysWithValues: endpoints.map { ($0.id, $0) })
            return deliveries.compactMap { delivery in byID[delivery.endpointID].map { ClaimedDelivery(delivery: delivery, endpoint: $0) } }
        }
    }

    /// When the next pending delivery of an enabled endpoint falls due; `nil` when none is.
    public func nextDue() async throws -> Date? {
        try await database.sqlRead { db in
            try await db.raw("""
                SELECT MIN(d.next_attempt_at) AS next FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
                WHERE d.state = 'pending' AND e.status = 'enabled'
                """).first()?.optionalDate("next")
        }
    }

    /// Logs an attempt and moves its delivery on: succeeded, pending again at `retryAt`, or
    /// failed. The endpoint's failing streak is kept, and it is disabled when the outcome
    /// says so (its pending deliveries then fail, replayable), and `disabled` is called in
    /// the same unit of work to record why.
    public func record(
        _ outcome: AttemptOutcome, of claimed: ClaimedDelivery, worker: String, now: Date,
        disabled: @escaping @Sendable (_ endpoint: WebhookEndpoint, _ previous: WebhookEndpoint, StoreTransaction) async throws -> Void
    ) async throws {
        let attempt = outcome.attempt
        try await store.transaction { tx in
            let db = tx.db
            try await db.insert(into: "webhook_attempts").columns(
                "id", "delivery_id", "endpoint_id", "attempted_at", "status_code", "latency_ms", "response_excerpt", "error"
            ).values(
                SQLBind(attempt.id.rawValue), SQLBind(attempt.deliveryID.rawValue), SQLBind(attempt.endpointID.rawValue),
                SQLBind(attempt.attemptedAt.stored), SQLBind(attempt.statusCode), SQLBind(attempt.latencyMilliseconds),
                SQLBind(attempt.responseExcerpt), SQLBind(attempt.error)
            ).run()
            let state: WebhookDelivery.State = outcome.succeeded ? .succeeded : (outcome.retryAt == nil ? .failed : .pending)
            try await db.update("webhook_deliveries").set("state", to: SQLBind(state.rawValue))
                .set("next_attempt_at", to: SQLBind(outcome.retryAt?.stored)).set("locked_by", to: SQLLiteral.null)
                .set("locked_until", to: SQLLiteral.null).set("last_status", to: SQLBind(attempt.statusCode))
                .set("last_error", to: SQLBind(attempt.error)).set("updated_at", to: SQLBind(now.stored))
                .set("delivered_at", to: outcome.succeeded ? SQLBind(now.stored) as any SQLExpression : SQLLiteral.null)
                .where("id", .equal, claimed.delivery.id.rawValue).where("locked_by", .equal, worker).run()
            let repository = tx.webhooks
            guard var endpoint = try await repository.find(claimed.endpoint.id, accountID: nil, forUpdate: true) else { return }
            let before = endpoint
            if outcome.succeeded {
                endpoint.failingSince = nil
            } else if endpoint.failingSince == nil {
                endpoint.failingSince = attempt.attemptedAt
            }
            let disabling = outcome.disableReason != nil && endpoint.status == .enabled
            if let reason = outcome.disableReason, disabling {
                endpoint.status = .disabled
                endpoint.disabledReason = reason
                endpoint.disabledAt = now
                try await repository.failPending(endpointID: endpoint.id, reason: "Endpoint disabled: \(reason)", now: now)
            }
            if endpoint != before {
                endpoint.updatedAt = now
                try await repository.save(endpoint)
            }
            if disabling { try await disabled(endpoint, before, tx) }
        }
    }
}
