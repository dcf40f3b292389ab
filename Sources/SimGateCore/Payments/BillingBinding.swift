import Foundation

/// The tie between a gateway subscription and the SIM it pays for, with what that
/// subscription's events have established so far.
public struct BillingBinding: Equatable, Sendable {
    /// How the binding came about.
    public enum Source: String, Sendable {
        /// Created through the API.
        case api
        /// Created from the `iccid`/`imei` metadata of a gateway event.
        case metadata
    }

    public let id: BillingBindingID
    public let accountID: AccountID
    public let gatewayID: PaymentGatewayID
    /// The gateway's subscription id.
    public let subscriptionID: String
    public let simID: SimID
    public var entitlement: Entitlement
    public let source: Source
    public let createdAt: Date
    public var updatedAt: Date

    public init(
        id: BillingBindingID, accountID: AccountID, gatewayID: PaymentGatewayID, subscriptionID: String, simID: SimID,
        entitlement: Entitlement, source: Source, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.accountID = accountID
        self.gatewayID = gatewayID
        self.subscriptionID = subscriptionID
        self.simID = simID
        self.entitlement = entitlement
        self.source = source
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
