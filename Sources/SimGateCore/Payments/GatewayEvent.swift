import Foundation

/// A webhook received from a payment gateway, stored verbatim once verified.
public struct GatewayEvent: Equatable, Sendable {
    /// What became of it.
    public enum Status: String, Sendable, CaseIterable {
        /// Stored and waiting for its job.
        case received
        /// Its fact was merged into a binding.
        case applied
        /// Its subscription has no binding yet; applied when one appears.
        case unbound
        /// Nothing in it concerns SIMs (a check, an unrelated type).
        case ignored
        /// It could not be applied; `outcome` says why.
        case failed
    }

    public let id: GatewayEventID
    public let accountID: AccountID
    public let gatewayID: PaymentGatewayID
    /// The gateway's id for it (Stripe event id, `webhook-id`, Braintree payload digest).
    public let externalID: String
    public let type: String
    public let subscriptionID: String?
    /// The raw body as received.
    public let payload: String
    public let receivedAt: Date
    public var status: Status
    /// A sentence on what applying it did.
    public var outcome: String?
    public var processedAt: Date?

    public init(
        id: GatewayEventID, accountID: AccountID, gatewayID: PaymentGatewayID, externalID: String, type: String,
        subscriptionID: String?, payload: String, receivedAt: Date, status: Status, outcome: String?, processedAt: Date?
    ) {
        self.id = id
        self.accountID = accountID
        self.gatewayID = gatewayID
        self.externalID = externalID
        self.type = type
        self.subscriptionID = subscriptionID
        self.payload = payload
        self.receivedAt = receivedAt
        self.status = status
        self.outcome = outcome
        self.processedAt = processedAt
    }
}
