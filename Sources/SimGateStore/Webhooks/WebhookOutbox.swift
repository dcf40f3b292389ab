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

    /// Claims up to `limit` due deliveries for `worker` until `now + lease`.
    ///
    /// Three small indexed steps rather than one clever statement, so that a backlog of
    /// thousands costs little: claims whose lease ran out become pending again; the endpoints
    /// with due work are found, most overdue first, with what each has in flight; then each
    /// endpoint's oldest due deliveries are taken, up to its concurrency less what is in
    /// flight (for an ordered endpoint, only its oldest unfinished delivery, and only if due),
    /// the endpoints with the fewest in flight served first. No account gets more than
    /// `perAccount` of `worker`'s attempts in flight, and no endpoint more than half of that:
    /// one account's endpoints that hang would otherwise take every slot, and other accounts'
    /// deliveries waited several timeouts for one; one endpoint that hangs would take its
    /// account's.
    public func claim(limit: Int, perAccount: Int = .max, worker: String, now: Date, lease: TimeInterval) async throws -> [ClaimedDelivery] {
        try await database.sqlTransaction { db in
            try await takeClaimTurn(on: db)
            return try await claim(limit: limit, perAccount: perAccount, worker: worker, now: now, lease: lease, on: db)
        }
    }

    /// Makes claims take turns, on PostgreSQL: the first thing a claiming unit of work does, so
    /// that it holds no row locks while it waits. A claim counts what is in flight and then
    /// takes up to the room it saw; two claims at once (two instances, or one instance's loop
    /// and its recorder) each saw the same room and each filled it, an endpoint with a
    /// concurrency of 5 getting 7 attempts at once and an account 41 of its share of 32. Read
    /// after the turn is taken, the counts include every earlier claim's. (SQLite's single
    /// writer makes its write transactions take turns already.)
    private func takeClaimTurn(on db: any SQLDatabase) async throws {
        guard database.engine == .postgres else { return }
        try await db.raw("SELECT pg_advisory_xact_lock(7351002, hashtext(current_schema()))").run()
    }

    /// ``takeClaimTurn(on:)`` without waiting: whether the turn was free and is now this unit
    /// of work's.
    private func takeClaimTurnIfFree(on db: any SQLDatabase) async throws -> Bool {
        guard database.engine == .postgres else { return true }
        let row = try await db.raw("SELECT pg_try_advisory_xact_lock(7351002, hashtext(current_schema())) AS taken").first()
        return try row?.decode(column: "taken", as: Bool.self) ?? false
    }

    /// Extends `worker`'s claims on these deliveries, those it still holds, until `until`;
    /// returns how many it still held.
    @discardableResult
    public func renew(_ ids: [WebhookDeliveryID], worker: String, until: Date) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        let engine = database.engine
        return try await database.sqlTransaction { db in
            // Rows locked right now are being recorded (their attempts ended): passed over
            // rather than waited for. Waiting, the renewal and the recording locked the same
            // rows in different orders, and PostgreSQL ended one of them as a deadlock.
            let list: SQLQueryString = "\(ids.map { "\(bind: $0.rawValue)" as SQLQueryString }.joined(separator: ", "))"
            let targets: SQLQueryString = switch engine {
            case .sqlite: list
            case .postgres: "SELECT id FROM webhook_deliveries WHERE id IN (\(list)) \(unsafeRaw: engine.skipLockedClause)"
            }
            return try await db.raw("""
                UPDATE webhook_deliveries SET locked_until = \(bind: until.stored)
                WHERE id IN (\(targets)) AND state = 'delivering' AND locked_by = \(bind: worker)
                RETURNING id
                """).all().count
        }
    }

    /// Gives back `worker`'s claims on deliveries it will not attempt after all (it is
    /// stopping): pending again at once, with the attempt their claim counted taken back.
    public func release(_ ids: [WebhookDeliveryID], worker: String, now: Date) async throws {
        guard !ids.isEmpty else { return }
        try await database.sqlTransaction { db in
            try await db.update("webhook_deliveries").set("state", to: "pending").set("locked_by", to: SQLLiteral.null)
                .set("locked_until", to: SQLLiteral.null).set("attempts", to: SQLRaw("attempts - 1")).set("updated_at", to: SQLBind(now.stored))
                .where("id", .in, SQLBind.group(ids.map(\.rawValue))).where("state", .equal, "delivering").where("locked_by", .equal, worker)
                .run()
        }
    }

    /// The claim's steps, on a connection in a write transaction.
    private func claim(limit: Int, perAccount: Int, worker: String, now: Date, lease: TimeInterval, on db: any SQLDatabase) async throws -> [ClaimedDelivery] {
        let engine = database.engine
        guard limit > 0 else { return [] }
        try await releaseLostClaims(now: now, on: db)
        let due = try await db.raw("""
            SELECT d.endpoint_id, e.account_id, MIN(d.next_attempt_at) AS oldest, COUNT(*) AS due, e.max_concurrency, e.ordered,
                   (SELECT COUNT(*) FROM webhook_deliveries f WHERE f.endpoint_id = d.endpoint_id AND f.state = 'delivering') AS in_flight
            FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
            WHERE d.state = 'pending' AND d.next_attempt_at <= \(bind: now.stored) AND e.status = 'enabled'
            GROUP BY d.endpoint_id, e.account_id, e.max_concurrency, e.ordered
            ORDER BY oldest LIMIT 1000
            """).all()
        // What each account has in flight on this worker; the endpoints of an account at its
        // share are passed over, so the next account's come within the rows read.
        var accountInFlight: [String: Int] = [:]
        if perAccount != .max {
            for row in try await db.raw("""
                SELECT e.account_id, COUNT(*) AS n FROM webhook_deliveries f JOIN webhook_endpoints e ON e.id = f.endpoint_id
                WHERE f.state = 'delivering' AND f.locked_by = \(bind: worker) GROUP BY e.account_id
                """).all() {
                accountInFlight[try row.string("account_id"), default: 0] = try row.int("n")
            }
        }
        // How many each endpoint may take: its own room (its concurrency, or one for an
        // ordered endpoint, less what it has in flight) within its account's room and this
        // claim's, and, for an account with several endpoints, never more than half its
        // account's share. The slots are dealt one at a time to the endpoint with the fewest in
        // flight (the most overdue first among equals). An endpoint that hung with a backlog
        // took its account's whole share, being the most overdue, again each time a slot came
        // free: the account's other endpoints waited several timeouts for one. An account with
        // one endpoint keeps the whole of its share for it (a `max_concurrency` up to 50).
        let endpointShare = max(1, perAccount / 2)
        let accounts = Array(Set(try due.map { try $0.string("account_id") }))
        var endpointsOf: [String: Int] = [:]
        if perAccount != .max, !accounts.isEmpty {
            for row in try await db.raw("""
                SELECT account_id, COUNT(*) AS n FROM webhook_endpoints
                WHERE status = 'enabled' AND account_id IN (\(accounts.map { "\(bind: $0)" as SQLQueryString }.joined(separator: ", ")))
                GROUP BY account_id
                """).all() {
                endpointsOf[try row.string("account_id")] = try row.int("n")
            }
        }
        var candidates: [(endpoint: String, account: String, ordered: Bool, inFlight: Int, room: Int, taken: Int)] = []
        for row in due {
            let inFlight = try row.int("in_flight")
            let ordered = try row.int("ordered") != 0
            let account = try row.string("account_id")
            let concurrency = endpointsOf[account, default: 1] > 1 ? min(try row.int("max_concurrency"), endpointShare) : try row.int("max_concurrency")
            let room = min(try row.int("due"), (ordered ? 1 : concurrency) - inFlight)
            if room > 0 { candidates.append((try row.string("endpoint_id"), account, ordered, inFlight, room, 0)) }
        }
        // An ordered endpoint takes its oldest unfinished delivery or nothing: one whose oldest
        // waits for its retry has nothing to send, though newer ones are due. Looked at when it
        // is first dealt a slot, which it gives back if so; dealt and then found empty, such
        // endpoints took every slot of a claim, which then sent nothing.
        var readyOrdered: [String: String] = [:]
        var dealt = 0
        while dealt < limit {
            var next: Int?
            for index in candidates.indices where candidates[index].taken < candidates[index].room
                && accountInFlight[candidates[index].account, default: 0] < perAccount {
                if next == nil || candidates[index].inFlight + candidates[index].taken < candidates[next!].inFlight + candidates[next!].taken { next = index }
            }
            guard let next else { break }
            if candidates[next].ordered {
                let endpoint = candidates[next].endpoint
                let oldest = try await db.raw("""
                    SELECT id, state, next_attempt_at FROM webhook_deliveries
                    WHERE endpoint_id = \(bind: endpoint) AND state IN ('pending', 'delivering') ORDER BY id LIMIT 1
                    """).first()
                guard let oldest, try oldest.string("state") == "pending", let dueAt = try oldest.optionalDate("next_attempt_at"), dueAt <= now else {
                    candidates[next].room = 0
                    continue
                }
                readyOrdered[endpoint] = try oldest.string("id")
            }
            candidates[next].taken += 1
            accountInFlight[candidates[next].account, default: 0] += 1
            dealt += 1
        }
        var chosen: [String] = []
        for candidate in candidates where candidate.taken > 0 {
            if candidate.ordered {
                if let id = readyOrdered[candidate.endpoint] { chosen.append(id) }
            } else {
                let rows = try await db.raw("""
                    SELECT id FROM webhook_deliveries
                    WHERE endpoint_id = \(bind: candidate.endpoint) AND state = 'pending' AND next_attempt_at <= \(bind: now.stored)
                    ORDER BY id LIMIT \(bind: candidate.taken)
                    """).all()
                chosen += try rows.map { try $0.string("id") }
            }
        }
        guard !chosen.isEmpty else { return [] }
        // The state is checked again on the locked rows: another instance may have claimed
        // some since this unit of work's snapshot (PostgreSQL); SKIP LOCKED passes over
        // those it is claiming right now.
        let ids: SQLQueryString = "\(chosen.map { "\(bind: $0)" as SQLQueryString }.joined(separator: ", "))"
        let locked: SQLQueryString = switch engine {
        case .sqlite: ids
        case .postgres:
            "SELECT id FROM webhook_deliveries WHERE id IN (\(ids)) AND state = 'pending' \(unsafeRaw: engine.skipLockedClause)"
        }
        let rows = try await db.raw("""
            UPDATE webhook_deliveries SET state = 'delivering', locked_by = \(bind: worker), locked_until = \(bind: (now + lease).stored),
                   attempts = attempts + 1, updated_at = \(bind: now.stored)
            WHERE id IN (\(locked)) AND state = 'pending' AND next_attempt_at <= \(bind: now.stored)
            RETURNING *
            """).all()
        let deliveries = try rows.map(WebhookRepository.delivery).sorted { $0.id < $1.id }
        guard !deliveries.isEmpty else { return [] }
        let endpoints = try await db.select().column("*").from("webhook_endpoints")
            .where("id", .in, Set(deliveries.map(\.endpointID.rawValue)).sorted()).all().map(WebhookRepository.endpoint)
        let byID = Dictionary(uniqueKeysWithValues: endpoints.map { ($0.id, $0) })
        return deliveries.compactMap { delivery in byID[delivery.endpointID].map { ClaimedDelivery(delivery: delivery, endpoint: $0) } }
    }

    /// Which of these deliveries are still stored and claimed by `worker`. On PostgreSQL their
    /// endpoints are locked first, in the order an endpoint's deletion takes them (endpoint,
    /// then its deliveries): taken the other way round, a deletion and a recording each waited
    /// for the other's rows and one was aborted as a deadlock. Then the deliveries, with the
    /// lock a foreign key's check takes, so a deletion waits for their attempts to be in.
    private static func heldDeliveries(
        _ ids: [String], endpoints: [String], worker: String, engine: DatabaseEngine, on db: any SQLDatabase
    ) async throws -> Set<String> {
        func list(_ values: [String]) -> SQLQueryString {
            "\(Set(values).sorted().map { "\(bind: $0)" as SQLQueryString }.joined(separator: ", "))"
        }
        if engine == .postgres {
            _ = try await db.raw("SELECT id FROM webhook_endpoints WHERE id IN (\(list(endpoints))) ORDER BY id FOR UPDATE").all()
        }
        let lock: SQLQueryString = engine == .postgres ? " ORDER BY id FOR KEY SHARE" : ""
        return Set(try await db.raw("""
            SELECT id FROM webhook_deliveries WHERE id IN (\(list(ids))) AND state = 'delivering' AND locked_by = \(bind: worker)\(lock)
            """).all().map { try $0.string("id") })
    }

    /// Puts the deliveries whose claims ran out back in the queue and logs their attempts:
    /// their instance did not record how they ended (it stopped, froze or lost its database),
    /// and the receiver may well have had them. Each counts in the delivery's `attempts`, so
    /// each has its line in the log, dated when it was claimed. Only the rows this statement
    /// itself took back are logged: two instances claiming at once both saw the same expired
    /// row in a read before it, and each logged the attempt once.
    private func releaseLostClaims(now: Date, on db: any SQLDatabase) async throws {
        let lost = try await db.raw("""
            UPDATE webhook_deliveries SET state = 'pending', locked_by = NULL, locked_until = NULL
            WHERE state = 'delivering' AND locked_until < \(bind: now.stored)
            RETURNING id, endpoint_id, updated_at
            """).all()
        guard !lost.isEmpty else { return }
        var insert = db.insert(into: "webhook_attempts").columns(
            "id", "delivery_id", "endpoint_id", "attempted_at", "status_code", "latency_ms", "response_excerpt", "error"
        )
        for row in lost {
            let id: WebhookAttemptID = store.ids.make()
            let claimedAt = try row.int64("updated_at")
            // Its latency is unknown; what is known is how long it went without an outcome.
            insert = insert.values(
                SQLBind(id.rawValue), SQLBind(try row.string("id")), SQLBind(try row.string("endpoint_id")), SQLBind(claimedAt),
                SQLLiteral.null, SQLBind(max(0, now.stored - claimedAt)), SQLLiteral.null,
                SQLBind("The instance making this attempt did not record how it ended before its claim ran out (it stopped, froze or lost its database); the receiver may have had it.")
            )
        }
        try await insert.run()
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

    /// Logs attempts and moves their deliveries on: succeeded, pending again at `retryAt`, or
    /// failed, all in one unit of work (the dispatcher records what ended together at once).
    /// Each endpoint's failing streak is kept, and it is disabled when an outcome says so (its
    /// pending deliveries then fail, replayable); `disabled` is called in the same unit of
    /// work to record why.
    ///
    /// With `thenClaim` above zero, up to that many due deliveries are claimed in the same
    /// unit of work and returned: one write where there would be two.
    @discardableResult
    public func record(
        _ outcomes: [(outcome: AttemptOutcome, claimed: ClaimedDelivery)], worker: String, now: Date,
        thenClaim: Int = 0, perAccount: Int = .max, lease: TimeInterval = 60,
        disabled: @escaping @Sendable (_ endpoint: WebhookEndpoint, StoreTransaction) async throws -> Void
    ) async throws -> [ClaimedDelivery] {
        guard !outcomes.isEmpty else { return [] }
        return try await store.transaction { tx in
            let db = tx.db
            // Only attempts at deliveries still stored and still claimed by `worker` are
            // recorded. An endpoint deleted while its attempts ran took their deliveries with
            // it: one such attempt failed the insert (its delivery gone) and rolled back every
            // other's outcome, other accounts' too, which were then sent twice. And an instance
            // that froze past its lease logged its late attempt beside the one that took it over.
            let held = try await Self.heldDeliveries(
                outcomes.map(\.claimed.delivery.id.rawValue), endpoints: outcomes.map(\.claimed.endpoint.id.rawValue), worker: worker,
                engine: database.engine, on: db
            )
            let outcomes = outcomes.filter { held.contains($0.claimed.delivery.id.rawValue) }
            guard !outcomes.isEmpty else { return [] }
            var insert = db.insert(into: "webhook_attempts").columns(
                "id", "delivery_id", "endpoint_id", "attempted_at", "status_code", "latency_ms", "response_excerpt", "error"
            )
            for (outcome, _) in outcomes {
                let attempt = outcome.attempt
                insert = insert.values(
                    SQLBind(attempt.id.rawValue), SQLBind(attempt.deliveryID.rawValue), SQLBind(attempt.endpointID.rawValue),
                    SQLBind(attempt.attemptedAt.stored), SQLBind(attempt.statusCode), SQLBind(attempt.latencyMilliseconds),
                    SQLBind(attempt.responseExcerpt), SQLBind(attempt.error)
                )
            }
            try await insert.run()
            // Deliveries whose attempts ended alike (most often: all answered 200) are moved on
            // by one statement.
            let groups = Dictionary(grouping: outcomes) { entry in
                DeliveryUpdate(
                    state: entry.outcome.succeeded ? .succeeded : (entry.outcome.retryAt == nil ? .failed : .pending),
                    nextAttemptAt: entry.outcome.retryAt?.stored, status: entry.outcome.attempt.statusCode, error: entry.outcome.attempt.error
                )
            }
            for (update, entries) in groups.sorted(by: { $0.value[0].claimed.delivery.id < $1.value[0].claimed.delivery.id }) {
                try await db.update("webhook_deliveries").set("state", to: SQLBind(update.state.rawValue))
                    .set("next_attempt_at", to: SQLBind(update.nextAttemptAt)).set("locked_by", to: SQLLiteral.null)
                    .set("locked_until", to: SQLLiteral.null).set("last_status", to: SQLBind(update.status))
                    .set("last_error", to: SQLBind(update.error)).set("updated_at", to: SQLBind(now.stored))
                    .set("delivered_at", to: update.state == .succeeded ? SQLBind(now.stored) as any SQLExpression : SQLLiteral.null)
                    .where("id", .in, entries.map(\.claimed.delivery.id.rawValue)).where("locked_by", .equal, worker).run()
            }
            // Per endpoint, in the order the attempts were made: the last one decides the streak.
            for (endpointID, results) in Dictionary(grouping: outcomes, by: \.claimed.endpoint.id).sorted(by: { $0.key < $1.key }) {
                let repository = tx.webhooks
                guard var endpoint = try await repository.find(endpointID, accountID: nil, forUpdate: true) else { continue }
                let before = endpoint
                var disabling = false
                for (outcome, _) in results.sorted(by: { $0.outcome.attempt.attemptedAt < $1.outcome.attempt.attemptedAt }) {
                    if outcome.succeeded {
                        endpoint.failingSince = nil
                    } else if endpoint.failingSince == nil {
                        endpoint.failingSince = outcome.attempt.attemptedAt
                    }
                    if let reason = outcome.disableReason, endpoint.status == .enabled {
                        endpoint.status = .disabled
                        endpoint.disabledReason = reason
                        endpoint.disabledAt = now
                        disabling = true
                    }
                }
                if disabling {
                    try await repository.failPending(endpointID: endpoint.id, reason: "Endpoint disabled: \(endpoint.disabledReason ?? "")", now: now)
                }
                if endpoint != before {
                    endpoint.updatedAt = now
                    try await repository.save(endpoint)
                }
                if disabling { try await disabled(endpoint, tx) }
            }
            // Claims only if no other claim is running: holding the rows above, it must not
            // wait for the turn (a claim waiting on those rows would wait for it in turn), and
            // a claim it skips is the loop's to make a moment later.
            guard thenClaim > 0, try await takeClaimTurnIfFree(on: db) else { return [] }
            return try await claim(limit: thenClaim, perAccount: perAccount, worker: worker, now: now, lease: lease, on: db)
        }
    }
}

/// How a set of deliveries moves on after attempts that ended alike.
private struct DeliveryUpdate: Hashable {
    let state: WebhookDelivery.State
    let nextAttemptAt: Int64?
    let status: Int?
    let error: String?
}
