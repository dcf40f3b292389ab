import Foundation

/// A gateway event read into what SimGate needs from it.
public struct GatewayNotification: Equatable, Sendable {
    /// How the SIM behind a subscription is named by the gateway's data, if it is.
    public enum SimHint: Equatable, Sendable {
        /// An ICCID as the gateway's metadata wrote it, not yet validated.
        case iccid(String)
        /// The IMEI of the SIM's device as the metadata wrote it, not yet validated.
        case imei(String)
    }

    /// The gateway's own id for the event: the deduplication key.
    public let externalID: String
    /// The gateway's event type (`invoice.paid`, `subscription_charged_successfully`, ...).
    public let type: String
    /// When the gateway says it happened.
    public let occurredAt: Date
    /// The subscription it concerns, when it concerns one.
    public let subscriptionID: String?
    /// Where the gateway's metadata names the SIM (used to create a binding).
    public let simHint: SimHint?
    /// What it says about the entitlement; `nil` for events that change nothing (checks, bindings only).
    public let fact: EntitlementFact?
    /// Why an event that might have said something about the entitlement says nothing: a
    /// missing field, or a type that never extends access. Shown on the gateway event.
    public let noFactBecause: String?

    /// Assembles a notification; `noFactBecause` only for events that could have carried a fact.
    public init(
        externalID: String, type: String, occurredAt: Date, subscriptionID: String?, simHint: SimHint?, fact: EntitlementFact?,
        noFactBecause: String? = nil
    ) {
        self.noFactBecause = noFactBecause
        self.externalID = externalID
        self.type = type
        self.occurredAt = occurredAt
        self.subscriptionID = subscriptionID
        self.simHint = simHint
        self.fact = fact
    }
}

/// A payload that cannot be read as the gateway's event.
public struct GatewayPayloadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A sentence saying what is wrong with the payload.
    public let message: String
    /// The field at fault, when one is.
    public let field: String?
    /// An error explained by `message`, about `field` when one is at fault.
    public init(_ message: String, field: String? = nil) {
        self.message = message
        self.field = field
    }
    public var description: String { message }
}
