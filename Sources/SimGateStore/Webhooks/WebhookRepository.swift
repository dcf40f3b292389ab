import Foundation
import SimGateCore
import SQLKit

/// Webhook endpoints, the deliveries queued for them (the outbox), and every attempt.
public struct WebhookRepository: Sendable {
    /// The connection (inside its transaction) every query here runs on.
    let db: any SQLDatabase
    /// Which engine, for the claim's spelling.
    let engine: DatabaseEngine
    /// Where the unit of work notes that it queued deliveries.
    let record: UnitOfWorkRecord

    // MARK: Endpoints

    /// Stores a new endpoint.
    public func insert(_ endpoint: WebhookEndpoint) async throws {
        record.forget()
        try await db.insert(into: "webhook_endpoints").columns(
            "id", "account_id", "url", "description", "event_types", "status", "disabled_reason", "disabled_at", "ordered",
            "max_concurrency", "failing_since", "secret", "previous_secret", "previous_secret_expires_at", "created_at", "updated_at"
        ).values(Self.values(endpoint)).run()
    }

    /// Writes an endpoint's every column.
    public func save(_ endpoint: WebhookEndpoint) async throws {
        record.forget()
        let columns = [
            "id", "account_id", "url", "description", "event_types", "status", "disabled_reason", "disabled_at", "ordered",
            "max_concurrency", "failing_since", "secret", "previous_secret", "previous_secret_expires_at", "created_at", "updated_at",
        ]
        var update = db.update("webhook_endpoints")
        for (column, value) in zip(columns, Self.values(endpoint)) where column != "id" && column != "account_id" && column != "created_at" {
            update = update.set(SQLIdentifier(column), to: value)
        }
        try await update.where("id", .equal, endpoint.id.rawValue).run()
    }

    /// The endpoint with this id, if `accountID` (when given) owns it; with `forUpdate`,
    /// locked until the unit of work ends (PostgreSQL).
    public func find(_ id: WebhookEndpointID, accountID: AccountID?, forUpdate: Bool = false) async throws -> WebhookEndpoint? {
        var query = db.select().column("*").from("webhook_endpoints").where("id", .equal, id.rawValue)
        if let accountID { query = query.where("account_id", .equal, accountID.rawValue) }
        if forUpdate, engine == .postgres { query = query.for(.update) }
        return try await query.first().map(Self.endpoint)
    }

    /// One page of an account's endpoints (every account's for `nil`), newest first.
    public func list(accountID: AccountID?, _ page: PageRequest) async throws -> Page<WebhookEndpoint> {
        var query = db.select().column("*").from("webhook_endpoints")
        if let accountID { query = query.where("account_id", .equal, accountID.rawValue) }
        return pageOf(try await query.paged(page).all().map(Self.endpoint), request: page)
    }

    /// How many endpoints the account has.
    public func count(accountID: AccountID) async throws -> Int {
        try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("webhook_endpoints")
            .where("account_id", .equal, accountID.rawValue).first()?.int("n") ?? 0
    }

    /// The enabled endpoints of these accounts.
    public func enabledEndpoints(accountIDs: Set<AccountID>) async throws -> [WebhookEndpoint] {
        guard !accountIDs.isEmpty else { return [] }
        // As text: every event appended asks this, on the database's writer thread.
        return try await db.raw("""
            SELECT * FROM "webhook_endpoints" WHERE "account_id" IN (\(binds: accountIDs.map(\.rawValue))) \
            AND "status" = \(bind: WebhookEndpoint.Status.enabled.rawValue)
            """).all().map(Self.endpoint)
    }

    /// Deletes an endpoint with its deliveries and their attempts.
    public func delete(_ id: WebhookEndpointID) async throws {
        record.forget()
        try await db.delete(from: "webhook_attempts").where("endpoint_id", .equal, id.rawValue).run()
        try await db.delete(from: "webhook_deliveries").where("endpoint_id", .equal, id.rawValue).run()
        try await db.delete(from: "webhook_endpoints").where("id", .equal, id.rawValue).run()
    }

    // MARK: Deliveries

    /// Queues deliveries; one whose endpoint already has the same message is skipped (a rule's
    /// webhook to an endpoint that also subscribes to `rule.triggered` is sent once).
    public func enqueue(_ deliveries: [WebhookDelivery]) async throws {
        guard !deliveries.isEmpty else { return }
        record.note(.webhookDeliveries)
        for start in stride(from: 0, to: deliveries.count, by: 500) {
            var insert = db.insert(into: "webhook_deliveries").columns(
                "id", "endpoint_id", "account_id", "message_id", "event_type", "payload", "state", "attempts", "next_attempt_at",
                "last_status", "last_error", "created_at", "updated_at", "delivered_at"
            )
            for delivery in deliveries[start..<min(start + 500, deliveries.count)] {
                insert = insert.values(
                    SQLBind(delivery.id.rawValue), SQLBind(delivery.endpointID.rawValue), SQLBind(delivery.accountID.rawValue),
                    SQLBind(delivery.messageID), SQLBind(delivery.eventType), SQLBind(delivery.payload), SQLBind(delivery.state.rawValue),
                    SQLBind(delivery.attempts), SQLBind(delivery.nextAttemptAt?.stored), SQLBind(delivery.lastStatus),
                    SQLBind(delivery.lastError), SQLBind(delivery.createdAt.stored), SQLBind(delivery.updatedAt.stored),
                    SQLBind(delivery.deliveredAt?.stored)
                )
            }
            try await insert.ignoringConflicts(with: ["endpoint_id", "message_id"]).run()
        }
    }

    /// The delivery with this id, if `accountID` (when given) owns it.
    public func delivery(_ id: WebhookDeliveryID, accountID: AccountID?) async throws -> WebhookDelivery? {
        var query = db.select().column("*").from("webhook_deliveries").where("id", .equal, id.rawValue)
        if let accountID { query = query.where("account_id", .equal, accountID.rawValue) }
        return try await query.first().map(Self.delivery)
    }

    /// One page of an endpoint's deliveries, newest first, in `state` when given.
    public func deliveries(endpointID: WebhookEndpointID, state: WebhookDelivery.State?, _ page: PageRequest) async throws -> Page<WebhookDelivery> {
        var query = db.select().column("*").from("webhook_deliveries").where("endpoint_id", .equal, endpointID.rawValue)
        if let state { query = query.where("state", .equal, state.rawValue) }
        return pageOf(try await query.paged(page).all().map(Self.delivery), request: page)
    }

    /// A delivery's latest 100 attempts, oldest first. Replays make a delivery's attempts
    /// unbounded, and the latest tell what its endpoint does now.
    public func attempts(deliveryID: WebhookDeliveryID) async throws -> [WebhookAttempt] {
        try await db.select().column("*").from("webhook_attempts").where("delivery_id", .equal, deliveryID.rawValue)
            .orderBy("id", .descending).limit(100).all().map(Self.attempt).reversed()
    }

    /// Makes a delivery pending again, due at `now`, keeping its message id (a replay), with
    /// the whole retry schedule before it. Returns whether it was there and not in flight.
    public func replay(_ id: WebhookDeliveryID, now: Date) async throws -> Bool {
        let rows = try await db.raw("""
            UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = \(bind: now.stored), locked_by = NULL,
                   locked_until = NULL, attempts = 0, updated_at = \(bind: now.stored)
            WHERE id = \(bind: id.rawValue) AND state <> 'delivering'
            RETURNING id
            """).all()
        if !rows.isEmpty { record.note(.webhookDeliveries) }
        return !rows.isEmpty
    }

    /// Makes every failed delivery of the endpoint made since `since` pending again, with the
    /// whole retry schedule before each; returns how many.
    public func replayFailed(endpointID: WebhookEndpointID, since: Date, now: Date) async throws -> Int {
        let rows = try await db.raw("""
            UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = \(bind: now.stored), attempts = 0, updated_at = \(bind: now.stored)
            WHERE endpoint_id = \(bind: endpointID.rawValue) AND state = 'failed' AND created_at >= \(bind: since.stored)
            RETURNING id
            """).all()
        if !rows.isEmpty { record.note(.webhookDeliveries) }
        return rows.count
    }

    /// Fails every pending delivery of a disabled endpoint, with `reason`; they can be replayed.
    public func failPending(endpointID: WebhookEndpointID, reason: String, now: Date) async throws {
        try await db.update("webhook_deliveries").set("state", to: SQLBind(WebhookDelivery.State.failed.rawValue))
            .set("last_error", to: SQLBind(reason)).set("next_attempt_at", to: SQLLiteral.null).set("updated_at", to: SQLBind(now.stored))
            .where("endpoint_id", .equal, endpointID.rawValue).where("state", .equal, WebhookDelivery.State.pending.rawValue).run()
    }

    /// Forgets up to `limit` deliveries that ended (succeeded or failed) before `cutoff`, with
    /// their attempts; returns how many. Pending ones are kept however old.
    public func purge(endedBefore cutoff: Date, limit: Int) async throws -> Int {
        let rows = try await db.select().column("id").from("webhook_deliveries")
            .where("state", .in, [WebhookDelivery.State.succeeded.rawValue, WebhookDelivery.State.failed.rawValue])
            .where("updated_at", .lessThan, cutoff.stored).limit(limit).all()
        let ids = try rows.map { try $0.string("id") }
        guard !ids.isEmpty else { return 0 }
        try await db.delete(from: "webhook_attempts").where("delivery_id", .in, ids).run()
        try await db.delete(from: "webhook_deliveries").where("id", .in, ids).run()
        return ids.count
    }

    // MARK: Rows

    private static func values(_ endpoint: WebhookEndpoint) -> [any SQLExpression] {
        let types = String(decoding: (try? JSONEncoder().encode(endpoint.eventTypes)) ?? Data("[]".utf8), as: UTF8.self)
        return [
            SQLBind(endpoint.id.rawValue), SQLBind(endpoint.accountID.rawValue), SQLBind(endpoint.url), SQLBind(endpoint.description),
            SQLBind(types), SQLBind(endpoint.status.rawValue), SQLBind(endpoint.disabledReason), SQLBind(endpoint.disabledAt?.stored),
            SQLBind(endpoint.ordered ? 1 : 0), SQLBind(endpoint.maxConcurrency), SQLBind(endpoint.failingSince?.stored),
            SQLBind(endpoint.secrets.current), SQLBind(endpoint.secrets.previous), SQLBind(endpoint.secrets.previousExpiresAt?.stored),
            SQLBind(endpoint.createdAt.stored), SQLBind(endpoint.updatedAt.stored),
        ]
    }

    /// Reads a `webhook_endpoints` row.
    static func endpoint(_ row: any SQLRow) throws -> WebhookEndpoint {
        let statusText = try row.string("status")
        guard let status = WebhookEndpoint.Status(rawValue: statusText) else {
            throw StoreError.corruptRow(table: "webhook_endpoints", column: "status", value: statusText)
        }
        let typesText = try row.string("event_types")
        guard let types = try? JSONDecoder().decode([String].self, from: Data(typesText.utf8)) else {
            throw StoreError.corruptRow(table: "webhook_endpoints", column: "event_types", value: typesText)
        }
        return WebhookEndpoint(
            id: WebhookEndpointID(trusted: try row.string("id")), accountID: AccountID(trusted: try row.string("account_id")),
            url: try row.string("url"), description: try row.optionalString("description"), eventTypes: types, status: status,
            disabledReason: try row.optionalString("disabled_reason"), disabledAt: try row.optionalDate("disabled_at"),
            ordered: try row.int("ordered") != 0, maxConcurrency: try row.int("max_concurrency"),
            failingSince: try row.optionalDate("failing_since"),
            secrets: WebhookSecrets(
                current: try row.string("secret"), previous: try row.optionalString("previous_secret"),
                previousExpiresAt: try row.optionalDate("previous_secret_expires_at")
            ),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at")
        )
    }

    /// Reads a `webhook_deliveries` row.
    static func delivery(_ row: any SQLRow) throws -> WebhookDelivery {
        let stateText = try row.string("state")
        guard let state = WebhookDelivery.State(rawValue: stateText) else {
            throw StoreError.corruptRow(table: "webhook_deliveries", column: "state", value: stateText)
        }
        return WebhookDelivery(
            id: WebhookDeliveryID(trusted: try row.string("id")), endpointID: WebhookEndpointID(trusted: try row.string("endpoint_id")),
            accountID: AccountID(trusted: try row.string("account_id")), messageID: try row.string("message_id"),
            eventType: try row.string("event_type"), payload: try row.string("payload"), state: state, attempts: try row.int("attempts"),
            nextAttemptAt: try row.optionalDate("next_attempt_at"), lastStatus: try row.optionalInt64("last_status").map(Int.init),
            lastError: try row.optionalString("last_error"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"),
            deliveredAt: try row.optionalDate("delivered_at")
        )
    }

    /// Reads a `webhook_attempts` row.
    static func attempt(_ row: any SQLRow) throws -> WebhookAttempt {
        WebhookAttempt(
            id: WebhookAttemptID(trusted: try row.string("id")), deliveryID: WebhookDeliveryID(trusted: try row.string("delivery_id")),
            endpointID: WebhookEndpointID(trusted: try row.string("endpoint_id")), attemptedAt: try row.date("attempted_at"),
            statusCode: try row.optionalInt64("status_code").map(Int.init), latencyMilliseconds: try row.int64("latency_ms"),
            responseExcerpt: try row.optionalString("response_excerpt"), error: try row.optionalString("error")
        )
    }
}
