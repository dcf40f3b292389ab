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

    /// SimGate's `gwe_...` identifier for the stored delivery.
    public let id: GatewayEventID
    /// The account that owns the gateway it came through.
    public let accountID: AccountID
    /// The gateway configuration that received and verified it.
    public let gatewayID: PaymentGatewayID
    /// The gateway's id for it (Stripe event id, `webhook-id`, Braintree payload digest).
    public let externalID: String
    /// The gateway's event type as read from the payload (e.g. `invoice.paid`).
    public let type: String
    /// The gateway subscription it concerns; `nil` when it concerns none.
    public let subscriptionID: String?
    /// The raw body as received.
    public let payload: String
    /// When SimGate received it.
    public let receivedAt: Date
    /// What became of it so far; a new delivery is ``Status/received``.
    public var status: Status
    /// A sentence on what applying it did.
    public var outcome: String?
    /// When its outcome was last recorded; `nil` until then.
    public var processedAt: Date?

    /// Assembles a gateway event from its stored or just-received parts.
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
