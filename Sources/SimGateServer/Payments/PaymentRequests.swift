import Foundation
import SimGateCore

/// Body of `POST /v1/payment_gateways`.
struct CreatePaymentGatewayRequest: Decodable {
    /// `stripe`, `braintree` or `generic`; fixed once created.
    let kind: PaymentGatewayKind
    /// A name for people, up to 200 characters; the kind when absent.
    let name: String?
    /// The gateway's account; the caller's own when absent (a customer may name only itself).
    let account: AccountID?
    /// Signing secrets, for Stripe and generic gateways.
    let secrets: [String]?
    /// Key pairs, for Braintree gateways.
    let braintreeKeys: [PaymentGateway.BraintreeKey]?
    /// Grace after a failed payment, in hours; ``PaymentService/defaultGraceHours`` when absent.
    let gracePeriodHours: Int?
    /// When data stops after a cancellation; `end_of_period` when absent.
    let cancellation: CancellationPolicy?

    /// The accepted fields, in snake case; any other is an error.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, name, account, secrets, cancellation
        case braintreeKeys = "braintree_keys"
        case gracePeriodHours = "grace_period_hours"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        let kindText = try container.decode(String.self, forKey: .kind)
        guard let kind = PaymentGatewayKind(rawValue: kindText) else {
            throw APIError.invalid("invalid_value", "'kind' must be stripe, braintree or generic.", param: "kind")
        }
        self.kind = kind
        name = try PaymentGatewaySettings.decodeName(container)
        account = try container.decodeIdentifier(.account, AccountKind.self)
        (secrets, braintreeKeys, gracePeriodHours, cancellation) = try PaymentGatewaySettings.decode(container)
    }

    /// What the body configures.
    var settings: GatewaySettings {
        GatewaySettings(name: name, secrets: secrets, braintreeKeys: braintreeKeys, gracePeriodHours: gracePeriodHours, cancellation: cancellation)
    }
}

/// Body of `POST /v1/payment_gateways/{id}`: any subset; `secrets` or `braintree_keys`
/// replace the list (send old and new together while rotating).
struct UpdatePaymentGatewayRequest: Decodable {
    /// New name; nil leaves it.
    let name: String?
    /// New signing secrets, replacing the list; nil leaves them.
    let secrets: [String]?
    /// New Braintree key pairs, replacing the list; nil leaves them.
    let braintreeKeys: [PaymentGateway.BraintreeKey]?
    /// New grace after a failed payment, in hours; nil leaves it.
    let gracePeriodHours: Int?
    /// New cancellation policy; nil leaves it.
    let cancellation: CancellationPolicy?

    /// The create request's fields, so that `kind` and `account` are known and refused by name.
    typealias CodingKeys = CreatePaymentGatewayRequest.CodingKeys

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        if container.contains(.kind) || container.contains(.account) {
            throw APIError.invalid("immutable_parameter", "A gateway's kind and account cannot change.", param: container.contains(.kind) ? "kind" : "account")
        }
        name = try PaymentGatewaySettings.decodeName(container)
        (secrets, braintreeKeys, gracePeriodHours, cancellation) = try PaymentGatewaySettings.decode(container)
    }

    /// What the body changes.
    var settings: GatewaySettings {
        GatewaySettings(name: name, secrets: secrets, braintreeKeys: braintreeKeys, gracePeriodHours: gracePeriodHours, cancellation: cancellation)
    }
}

/// The settable fields shared by creating and updating a gateway, with their checks.
enum PaymentGatewaySettings {
    /// Longest grace a gateway may have, in hours.
    static let maximumGraceHours = Int(PaymentGateway.maximumGraceLength / 3600)

    /// Reads `name`: up to 200 characters, not blank (an update to `""` left a gateway no
    /// one could tell apart).
    static func decodeName(_ container: KeyedDecodingContainer<CreatePaymentGatewayRequest.CodingKeys>) throws -> String? {
        let name = try container.decodeText(.name, maximumLength: 200)
        if let name { try RequestText.requireNonBlank(name, param: "name", maximumLength: 200) }
        return name
    }

    /// Reads and checks `secrets`, `braintree_keys`, `grace_period_hours` and `cancellation`;
    /// nil for each one absent.
    static func decode(_ container: KeyedDecodingContainer<CreatePaymentGatewayRequest.CodingKeys>) throws
        -> ([String]?, [PaymentGateway.BraintreeKey]?, Int?, CancellationPolicy?) {
        let secrets = try container.decodeIfPresent([String].self, forKey: .secrets)
        if let secrets {
            guard (1...PaymentGateway.maximumCredentials).contains(secrets.count) else {
                throw APIError.invalid("invalid_value", "'secrets' holds 1 to \(PaymentGateway.maximumCredentials) secrets.", param: "secrets")
            }
            try GatewayCredentialRules.checkSecrets(secrets)
        }
        let keys = try container.decodeIfPresent([BraintreeKeyRequest].self, forKey: .braintreeKeys)?.map(\.pair)
        if let keys {
            guard (1...PaymentGateway.maximumCredentials).contains(keys.count) else {
                throw APIError.invalid("invalid_value", "'braintree_keys' holds 1 to \(PaymentGateway.maximumCredentials) key pairs.", param: "braintree_keys")
            }
            try GatewayCredentialRules.checkBraintreeKeys(keys)
        }
        let grace = try container.decodeInteger(.gracePeriodHours).map { Int(clamping: $0) }
        if let grace, !(0...maximumGraceHours).contains(grace) {
            throw APIError.invalid("value_out_of_range", "'grace_period_hours' is 0 to \(maximumGraceHours).", param: "grace_period_hours")
        }
        var policy: CancellationPolicy?
        if let text = try container.decodeIfPresent(String.self, forKey: .cancellation) {
            guard let parsed = CancellationPolicy(rawValue: text) else {
                throw APIError.invalid("invalid_value", "'cancellation' is immediately or end_of_period.", param: "cancellation")
            }
            policy = parsed
        }
        return (secrets, keys, grace, policy)
    }
}

/// Body of `POST /v1/billing_bindings`.
struct CreateBillingBindingRequest: Decodable {
    /// The gateway (`gw_...`) the subscription belongs to.
    let gateway: PaymentGatewayID
    /// The gateway's subscription id, up to 255 characters.
    let subscription: String
    /// A `sim_...` id or an ICCID.
    let sim: String

    /// The only fields the body may have; any other is an error.
    enum CodingKeys: String, CodingKey, CaseIterable { case gateway, subscription, sim }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        guard let gateway = try container.decodeIdentifier(.gateway, PaymentGatewayKindTag.self) else {
            throw APIError.invalid("parameter_missing", "'gateway' is required.", param: "gateway")
        }
        self.gateway = gateway
        subscription = try container.decode(String.self, forKey: .subscription)
        try RequestText.requireNonBlank(subscription, param: "subscription", maximumLength: BillingBinding.subscriptionIDLength)
        sim = try container.decode(String.self, forKey: .sim)
    }
}
