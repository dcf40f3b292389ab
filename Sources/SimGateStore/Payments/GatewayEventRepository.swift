import Foundation
import SimGateCore
import SQLKit

/// Stores received gateway events once each, by the gateway's own event id.
public struct GatewayEventRepository: Sendable {
    /// The connection (inside its transaction) every query here runs on.
    let db: any SQLDatabase

    /// Stores `event` unless the gateway already delivered one with its external id; returns
    /// whether it was new. The unique key makes deduplication hold across instances.
    public func insertIfNew(_ event: GatewayEvent) async throws -> Bool {
        let rows = try await db.raw("""
            INSERT INTO gateway_events (id, account_id, gateway_id, external_id, type, subscription_id, payload, received_at, status)
            VALUES (\(bind: event.id.rawValue), \(bind: event.accountID.rawValue), \(bind: event.gatewayID.rawValue), \(bind: event.externalID),
                    \(bind: event.type), \(bind: event.subscriptionID), \(bind: event.payload), \(bind: event.receivedAt.stored), \(bind: event.status.rawValue))
            ON CONFLICT DO NOTHING
            RETURNING id
            """).all()
        return !rows.isEmpty
    }

    /// Stores what applying the event did: its status, a sentence on the outcome, and when.
    public func record(_ id: GatewayEventID, status: GatewayEvent.Status, outcome: String, at time: Date) async throws {
        try await db.update("gateway_events").set("status", to: status.rawValue).set("outcome", to: outcome)
            .set("processed_at", to: time.stored).where("id", .equal, id.rawValue).run()
    }

    /// The event with this id, if `accountID` (when given) owns it.
    public func find(_ id: GatewayEventID, accountID: AccountID?) async throws -> GatewayEvent? {
        var query = db.select().column("*").from("gateway_events").where("id", .equal, id.rawValue)
        if let accountID { query = query.where("account_id", .equal, accountID.rawValue) }
        return try await query.first().map(Self.event)
    }

    /// Events of a subscription still waiting for a binding.
    public func unbound(gatewayID: PaymentGatewayID, subscriptionID: String) async throws -> [GatewayEvent] {
        try await events(gatewayID: gatewayID, subscriptionID: subscriptionID, status: .unbound)
    }

    /// Events of a subscription with `status`, oldest first.
    public func events(gatewayID: PaymentGatewayID, subscriptionID: String, status: GatewayEvent.Status) async throws -> [GatewayEvent] {
        try await db.select().column("*").from("gateway_events")
            .where("gateway_id", .equal, gatewayID.rawValue).where("subscription_id", .equal, subscriptionID)
            .where("status", .equal, status.rawValue).orderBy("id").all().map(Self.event)
    }

    /// One page of events, narrowed by account, gateway and status when given, newest first.
    public func list(accountID: AccountID?, gatewayID: PaymentGatewayID?, status: GatewayEvent.Status?, _ page: PageRequest) async throws -> Page<GatewayEvent> {
        var query = db.select().column("*").from("gateway_events")
        if let accountID { query = query.where("account_id", .equal, accountID.rawValue) }
        if let gatewayID { query = query.where("gateway_id", .equal, gatewayID.rawValue) }
        if let status { query = query.where("status", .equal, status.rawValue) }
        return pageOf(try await query.paged(page).all().map(Self.event), request: page)
    }

    /// Reads a `gateway_events` row; an unknown status is a corrupt row.
    static func event(_ row: any SQLRow) throws -> GatewayEvent {
        let statusText = try row.string("status")
        guard let status = GatewayEvent.Status(rawValue: statusText) else { throw StoreError.corruptRow(table: "gateway_events", column: "status", value: statusText) }
        return GatewayEvent(
            id: GatewayEventID(trusted: try row.string("id")), accountID: AccountID(trusted: try row.string("account_id")),
            gatewayID: PaymentGatewayID(trusted: try row.string("gateway_id")), externalID: try row.string("external_id"),
            type: try row.string("type"), subscriptionID: try row.optionalString("subscription_id"), payload: try row.string("payload"),
            receivedAt: try row.date("received_at"), status: status, outcome: try row.optionalString("outcome"),
            processedAt: try row.optionalDate("processed_at")
        )
    }
}
