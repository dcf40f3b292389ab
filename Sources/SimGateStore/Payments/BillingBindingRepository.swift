import Foundation
import SimGateCore
import SQLKit

/// Reads and writes billing bindings and the entitlement each carries.
public struct BillingBindingRepository: Sendable {
    /// The connection (inside its transaction) every query here runs on.
    let db: any SQLDatabase

    /// Inserts a binding; returns `false` if the gateway's subscription is already bound.
    @discardableResult
    public func insert(_ binding: BillingBinding) async throws -> Bool {
        let rows = try await db.raw("""
            INSERT INTO billing_bindings (id, account_id, gateway_id, subscription_id, sim_id, paid_until, trial_until, trial_granted_at, trial_ended_at, last_failure_at, ended_at, source, created_at, updated_at)
            VALUES (\(bind: binding.id.rawValue), \(bind: binding.accountID.rawValue), \(bind: binding.gatewayID.rawValue),
                    \(bind: binding.subscriptionID), \(bind: binding.simID.rawValue), \(bind: binding.entitlement.paidUntil?.stored), \(bind: binding.entitlement.trialUntil?.stored),
                    \(bind: binding.entitlement.trialGrantedAt?.stored), \(bind: binding.entitlement.trialEndedAt?.stored), \(bind: binding.entitlement.lastFailureAt?.stored), \(bind: binding.entitlement.endedAt?.stored),
                    \(bind: binding.source.rawValue), \(bind: binding.createdAt.stored), \(bind: binding.updatedAt.stored))
            ON CONFLICT DO NOTHING
            RETURNING id
            """).all()
        return !rows.isEmpty
    }

    /// Writes the binding's entitlement and `updated_at`.
    public func saveEntitlement(_ binding: BillingBinding) async throws {
        try await db.update("billing_bindings")
            .set("paid_until", to: binding.entitlement.paidUntil?.stored).set("trial_until", to: binding.entitlement.trialUntil?.stored)
            .set("trial_granted_at", to: binding.entitlement.trialGrantedAt?.stored).set("trial_ended_at", to: binding.entitlement.trialEndedAt?.stored)
            .set("last_failure_at", to: binding.entitlement.lastFailureAt?.stored)
            .set("ended_at", to: binding.entitlement.endedAt?.stored).set("updated_at", to: binding.updatedAt.stored)
            .where("id", .equal, binding.id.rawValue).run()
    }

    /// Deletes the binding with this id.
    public func delete(_ id: BillingBindingID) async throws {
        try await db.delete(from: "billing_bindings").where("id", .equal, id.rawValue).run()
    }

    /// The binding of a gateway's subscription, locked for update on PostgreSQL.
    public func find(gatewayID: PaymentGatewayID, subscriptionID: String, forUpdate: Bool = false) async throws -> BillingBinding? {
        var query = db.select().column("*").from("billing_bindings")
            .where("gateway_id", .equal, gatewayID.rawValue).where("subscription_id", .equal, subscriptionID)
        if forUpdate, db.dialect.name == "postgresql" { query = query.for(.update) }
        return try await query.first().map(Self.binding)
    }

    /// The binding with this id, if `accountID` (when given) owns it.
    public func find(_ id: BillingBindingID, accountID: AccountID?) async throws -> BillingBinding? {
        var query = db.select().column("*").from("billing_bindings").where("id", .equal, id.rawValue)
        if let accountID { query = query.where("account_id", .equal, accountID.rawValue) }
        return try await query.first().map(Self.binding)
    }

    /// Every binding of one SIM, oldest first.
    public func bindings(of simID: SimID) async throws -> [BillingBinding] {
        try await db.select().column("*").from("billing_bindings").where("sim_id", .equal, simID.rawValue).orderBy("id").all().map(Self.binding)
    }

    /// The SIMs bound to subscriptions of `gatewayID`, each once.
    public func simIDs(ofGateway gatewayID: PaymentGatewayID) async throws -> [SimID] {
        try await db.select().distinct().column("sim_id").from("billing_bindings").where("gateway_id", .equal, gatewayID.rawValue).orderBy("sim_id")
            .all().map { SimID(trusted: try $0.string("sim_id")) }
    }

    /// One page of bindings, narrowed to an account and a SIM when given, newest first.
    public func list(accountID: AccountID?, simID: SimID?, _ page: PageRequest) async throws -> Page<BillingBinding> {
        var query = db.select().column("*").from("billing_bindings")
        if let accountID { query = query.where("account_id", .equal, accountID.rawValue) }
        if let simID { query = query.where("sim_id", .equal, simID.rawValue) }
        return pageOf(try await query.paged(page).all().map(Self.binding), request: page)
    }

    /// Reads a `billing_bindings` row; an unknown source is a corrupt row.
    static func binding(_ row: any SQLRow) throws -> BillingBinding {
        let sourceText = try row.string("source")
        guard let source = BillingBinding.Source(rawValue: sourceText) else { throw StoreError.corruptRow(table: "billing_bindings", column: "source", value: sourceText) }
        return BillingBinding(
            id: BillingBindingID(trusted: try row.string("id")), accountID: AccountID(trusted: try row.string("account_id")),
            gatewayID: PaymentGatewayID(trusted: try row.string("gateway_id")), subscriptionID: try row.string("subscription_id"),
            simID: SimID(trusted: try row.string("sim_id")),
            entitlement: Entitlement(
                paidUntil: try row.optionalDate("paid_until"), trialUntil: try row.optionalDate("trial_until"),
                trialGrantedAt: try row.optionalDate("trial_granted_at"), trialEndedAt: try row.optionalDate("trial_ended_at"),
                lastFailureAt: try row.optionalDate("last_failure_at"), endedAt: try row.optionalDate("ended_at")),
            source: source, createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at")
        )
    }
}
