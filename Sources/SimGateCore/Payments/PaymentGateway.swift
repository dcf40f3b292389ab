import Foundation

/// An account's configuration of one payment gateway: how to verify what it sends, and what
/// its events mean for SIMs.
public struct PaymentGateway: Equatable, Sendable {
    /// What verifies the gateway's signatures. Several at once while a secret is rotated.
    public enum Credentials: Equatable, Sendable {
        /// Stripe endpoint secrets (`whsec_...`, used as is) or Standard Webhooks secrets.
        case signingSecrets([String])
        /// Braintree API key pairs.
        case braintreeKeys([BraintreeKey])
    }

    /// A Braintree public/private key pair.
    public struct BraintreeKey: Equatable, Sendable, Codable {
        /// Names the pair: `bt_signature` starts with it to say which private key signed.
        public let publicKey: String
        /// The HMAC-SHA1 key of the signature; kept in storage, never shown by the API.
        public let privateKey: String

        /// Keeps a public key with the private key that signs under it.
        public init(publicKey: String, privateKey: String) {
            self.publicKey = publicKey
            self.privateKey = privateKey
        }

        /// Snake_case names, as the pairs are stored in the gateway's `secrets` JSON column.
        enum CodingKeys: String, CodingKey {
            case publicKey = "public_key"
            case privateKey = "private_key"
        }
    }

    /// The configuration's `gw_...` identifier.
    public let id: PaymentGatewayID
    /// The account that set the gateway up; only its SIMs can be bound from the events.
    public let accountID: AccountID
    /// Which payment service it is; decides how payloads are verified and read.
    public let kind: PaymentGatewayKind
    /// A name to recognise the configuration by.
    public var name: String
    /// What verifies the gateway's signatures; kept in storage, never shown by the API.
    public var credentials: Credentials
    /// How long data keeps flowing after a failed payment, in seconds.
    public var graceLength: TimeInterval
    /// What a cancelled subscription does to its SIM's data.
    public var cancellation: CancellationPolicy
    /// When the gateway was set up.
    public let createdAt: Date
    /// When its name, credentials, grace or cancellation policy last changed.
    public var updatedAt: Date

    /// Assembles a gateway configuration; `graceLength` is in seconds.
    public init(
        id: PaymentGatewayID, accountID: AccountID, kind: PaymentGatewayKind, name: String, credentials: Credentials,
        graceLength: TimeInterval, cancellation: CancellationPolicy, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.accountID = accountID
        self.kind = kind
        self.name = name
        self.credentials = credentials
        self.graceLength = graceLength
        self.cancellation = cancellation
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Most secrets or key pairs kept at once.
    public static let maximumCredentials = 5
    /// Longest grace, in seconds: 90 days.
    public static let maximumGraceLength: TimeInterval = 90 * 86_400
}
