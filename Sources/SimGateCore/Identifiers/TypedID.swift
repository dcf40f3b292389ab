/// Marks what kind of object an identifier names, and the prefix its text carries.
public protocol IdentifierKind: Sendable {
    /// Prefix of the identifier's text, e.g. `sim` for `sim_01J...`.
    static var prefix: String { get }
}

/// A prefixed identifier (`sim_...`, `acct_...`) whose kind the compiler keeps apart:
/// a ``SimID`` cannot be passed where an ``AccountID`` is expected.
public struct TypedID<Kind: IdentifierKind>: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The full text, prefix included.
    public let rawValue: String

    /// Wraps text that is already known to be an identifier of this kind (from storage or the generator).
    public init(trusted rawValue: String) { self.rawValue = rawValue }

    /// Accepts `text` if it carries this kind's prefix followed by at least one character.
    public init?(parsing text: String) {
        let expected = Kind.prefix + "_"
        guard text.hasPrefix(expected), text.count > expected.count, text.count <= 64,
              text.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) })
        else { return nil }
        self.rawValue = text
    }

    /// Whether the text after the prefix has the form SimGate gives every id it makes: 26
    /// characters of Crockford's base 32 in capitals.
    public var hasGeneratedForm: Bool {
        let body = rawValue.utf8.dropFirst(Kind.prefix.utf8.count + 1)
        return body.count == 26 && body.allSatisfy { Base32.alphabet.contains($0) }
    }

    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Kind tag for SIM identifiers.
public enum SimKind: IdentifierKind { public static let prefix = "sim" }
/// Kind tag for account identifiers.
public enum AccountKind: IdentifierKind { public static let prefix = "acct" }
/// Kind tag for API key identifiers.
public enum APIKeyKind: IdentifierKind { public static let prefix = "key" }
/// Kind tag for event identifiers.
public enum EventKind: IdentifierKind { public static let prefix = "evt" }
/// Kind tag for job identifiers.
public enum JobKind: IdentifierKind { public static let prefix = "job" }

/// Identifies a SIM.
public typealias SimID = TypedID<SimKind>
/// Identifies an account (the operator's or a customer's).
public typealias AccountID = TypedID<AccountKind>
/// Identifies an API key.
public typealias APIKeyID = TypedID<APIKeyKind>
/// Identifies an event.
public typealias EventID = TypedID<EventKind>
/// Identifies a scheduled job.
public typealias JobID = TypedID<JobKind>

/// Kind tag for payment gateway configurations.
public enum PaymentGatewayKindTag: IdentifierKind { public static let prefix = "gw" }
/// Kind tag for billing bindings.
public enum BillingBindingKind: IdentifierKind { public static let prefix = "bnd" }
/// Kind tag for received gateway events.
public enum GatewayEventKind: IdentifierKind { public static let prefix = "gwe" }

/// Identifies an account's configuration of one payment gateway.
public typealias PaymentGatewayID = TypedID<PaymentGatewayKindTag>
/// Identifies the tie between a gateway subscription and a SIM.
public typealias BillingBindingID = TypedID<BillingBindingKind>
/// Identifies a received gateway event.
public typealias GatewayEventID = TypedID<GatewayEventKind>
/// Kind tag for OAuth clients of the Cellhire-compatible API.
public enum APIClientKind: IdentifierKind { public static let prefix = "cli" }
/// Identifies an OAuth client (its `client_id`).
public typealias APIClientID = TypedID<APIClientKind>

/// Kind tag for automation rules.
public enum RuleKind: IdentifierKind { public static let prefix = "rule" }
/// Identifies an automation rule.
public typealias RuleID = TypedID<RuleKind>
/// Kind tag for webhook endpoints.
public enum WebhookEndpointKind: IdentifierKind { public static let prefix = "we" }
/// Identifies a customer's webhook endpoint.
public typealias WebhookEndpointID = TypedID<WebhookEndpointKind>
/// Kind tag for webhook deliveries (one message to one endpoint, however many attempts).
public enum WebhookDeliveryKind: IdentifierKind { public static let prefix = "whd" }
/// Identifies a webhook delivery.
public typealias WebhookDeliveryID = TypedID<WebhookDeliveryKind>
/// Kind tag for one attempt at a webhook delivery.
public enum WebhookAttemptKind: IdentifierKind { public static let prefix = "wha" }
/// Identifies one attempt at a webhook delivery.
public typealias WebhookAttemptID = TypedID<WebhookAttemptKind>
