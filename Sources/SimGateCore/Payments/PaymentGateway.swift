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
        public let publicKey: String
        public let privateKey: String

        public init(publicKey: String, privateKey: String) {
            self.publicKey = publicKey
            self.privateKey = privateKey
        }

        enum CodingKeys: String, CodingKey {
            case publicKey = "public_key"
            case privateKey = "private_key"
        }
    }

    public let id: PaymentGatewayID
    public let accountID: AccountID
    public let kind: PaymentGatewayKind
    public var name: String
    public var credentials: Credentials
    /// How long data keeps flowing after a failed payment, in seconds.
    public var graceLength: TimeInterval
    public var cancellation: CancellationPolicy
    public let createdAt: Date
    public var updatedAt: Date

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
