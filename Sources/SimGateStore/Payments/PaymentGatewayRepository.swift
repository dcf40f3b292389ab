import Foundation
import SimGateCore
import SQLKit

/// Reads and writes payment gateway configurations. Credentials are kept because signatures
/// must be recomputed, sealed by the store's sealer; they never leave through the API. A row
/// an earlier version wrote in clear is still read, and sealed when the gateway next changes.
public struct PaymentGatewayRepository: Sendable {
    /// The connection (inside its transaction) every query here runs on.
    let db: any SQLDatabase
    /// Seals the credentials column.
    let sealer: (any SecretSealer)?
    /// Notes that a gateway changed, so what is remembered of it is forgotten on commit.
    let record: UnitOfWorkRecord

    /// Stores a new gateway; its grace length is stored in whole seconds.
    public func insert(_ gateway: PaymentGateway) async throws {
        record.note(.paymentGateways)
        try await db.insert(into: "payment_gateways")
            .columns("id", "account_id", "kind", "name", "secrets", "grace_seconds", "cancellation", "created_at", "updated_at")
            .values(
                SQLBind(gateway.id.rawValue), SQLBind(gateway.accountID.rawValue), SQLBind(gateway.kind.rawValue), SQLBind(gateway.name),
                SQLBind(try stored(gateway.credentials)), SQLBind(Int64(gateway.graceLength)), SQLBind(gateway.cancellation.rawValue),
                SQLBind(gateway.createdAt.stored), SQLBind(gateway.updatedAt.stored)
            )
            .run()
    }

    /// Writes what can change: name, credentials, grace, cancellation policy and `updated_at`.
    public func update(_ gateway: PaymentGateway) async throws {
        record.note(.paymentGateways)
        try await db.update("payment_gateways")
            .set("name", to: gateway.name).set("secrets", to: try stored(gateway.credentials))
            .set("grace_seconds", to: Int64(gateway.graceLength)).set("cancellation", to: gateway.cancellation.rawValue)
            .set("updated_at", to: gateway.updatedAt.stored)
            .where("id", .equal, gateway.id.rawValue).run()
    }

    /// The gateway with this id, if `accountID` (when given) owns it.
    public func find(_ id: PaymentGatewayID, accountID: AccountID?) async throws -> PaymentGateway? {
        var query = db.select().column("*").from("payment_gateways").where("id", .equal, id.rawValue)
        if let accountID { query = query.where("account_id", .equal, accountID.rawValue) }
        return try await query.first().map(gateway)
    }

    /// One page of gateways, of one account when given, newest first.
    public func list(accountID: AccountID?, _ page: PageRequest) async throws -> Page<PaymentGateway> {
        var query = db.select().column("*").from("payment_gateways")
        if let accountID { query = query.where("account_id", .equal, accountID.rawValue) }
        return pageOf(try await query.paged(page).all().map(gateway), request: page)
    }

    /// The `secrets` column as stored: the credentials' JSON, sealed.
    private func stored(_ credentials: PaymentGateway.Credentials) throws -> String {
        let json = Self.encode(credentials)
        return try sealer?.seal(json) ?? json
    }

    /// The `secrets` column's JSON: `{"secrets": [...]}` or `{"braintree_keys": [...]}`.
    static func encode(_ credentials: PaymentGateway.Credentials) -> String {
        switch credentials {
        case .signingSecrets(let secrets): StoredJSON.encode(["secrets": secrets])
        case .braintreeKeys(let keys): StoredJSON.encode(["braintree_keys": keys])
        }
    }

    /// Reads a `payment_gateways` row; Braintree rows hold key pairs, the others secrets.
    func gateway(_ row: any SQLRow) throws -> PaymentGateway {
        let kindText = try row.string("kind"), policyText = try row.string("cancellation")
        guard let kind = PaymentGatewayKind(rawValue: kindText) else { throw StoreError.corruptRow(table: "payment_gateways", column: "kind", value: kindText) }
        guard let policy = CancellationPolicy(rawValue: policyText) else { throw StoreError.corruptRow(table: "payment_gateways", column: "cancellation", value: policyText) }
        let storedText = try row.string("secrets")
        let secretsText: String
        if let sealer, storedText.hasPrefix("v1:") {
            secretsText = try sealer.open(storedText)
        } else {
            secretsText = storedText
        }
        let credentials: PaymentGateway.Credentials
        if kind == .braintree {
            credentials = .braintreeKeys(try StoredJSON.decode([String: [PaymentGateway.BraintreeKey]].self, from: secretsText, column: "secrets")["braintree_keys"] ?? [])
        } else {
            credentials = .signingSecrets(try StoredJSON.decode([String: [String]].self, from: secretsText, column: "secrets")["secrets"] ?? [])
        }
        return PaymentGateway(
            id: PaymentGatewayID(trusted: try row.string("id")), accountID: AccountID(trusted: try row.string("account_id")),
            kind: kind, name: try row.string("name"), credentials: credentials,
            graceLength: TimeInterval(try row.int64("grace_seconds")), cancellation: policy,
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at")
        )
    }
}
