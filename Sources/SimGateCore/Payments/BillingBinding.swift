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

    /// The binding's `bnd_...` identifier.
    public let id: BillingBindingID
    /// The account that owns the gateway, and so the binding.
    public let accountID: AccountID
    /// The gateway configuration whose events feed this binding.
    public let gatewayID: PaymentGatewayID
    /// The gateway's subscription id.
    public let subscriptionID: String
    /// The SIM the subscription pays for.
    public let simID: SimID
    /// What the subscription's facts add up to so far; empty for a new binding.
    public var entitlement: Entitlement
    /// Whether the binding was made through the API or from event metadata.
    public let source: Source
    /// When the binding was created.
    public let createdAt: Date
    /// When the binding's entitlement last changed.
    public var updatedAt: Date

    /// Assembles a binding from its parts.
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

extension BillingBinding {
    /// The longest subscription id a binding can have, in characters.
    public static let subscriptionIDLength = 255

    /// Whether `id` is one a binding can have, as the API takes it: not blank, at most
    /// ``subscriptionIDLength`` characters, no control character. A gateway event naming any
    /// other binds nothing (PostgreSQL keeps no NUL in text, nor an index entry of kilobytes).
    public static func isUsableSubscriptionID(_ id: String) -> Bool {
        !TextLimit.isBlank(id) && TextLimit.problem(in: id, maximumLength: subscriptionIDLength) == nil
    }
}
