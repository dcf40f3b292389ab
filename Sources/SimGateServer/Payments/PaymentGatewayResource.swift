import Foundation
import SimGateCore

/// A payment gateway configuration as the API shows it: never its secrets, only how many
/// there are and a hint of each; `secret` only in the answer that generated one.
struct PaymentGatewayResource: Codable, Equatable, Sendable {
    /// The gateway's id (`gw_...`).
    let id: String
    /// Always `payment_gateway`.
    let object: String
    /// The account the gateway belongs to.
    let account: String
    /// `stripe`, `braintree` or `generic`.
    let kind: String
    /// A name for people; the kind unless one was given.
    let name: String
    /// Where the gateway must send its webhooks (path on this server).
    let webhookPath: String
    /// The last four characters of each secret or Braintree public key, to tell them apart.
    let credentialHints: [String]
    /// How long data keeps running after a failed payment, in hours.
    let gracePeriodHours: Int
    /// When data stops after a cancellation: `immediately` or `end_of_period`.
    let cancellation: String
    /// The generated signing secret, only in the answer that created it; absent otherwise.
    let secret: String?
    /// When the gateway was created.
    let createdAt: Date
    /// When its settings last changed.
    let updatedAt: Date

    /// JSON names of the fields, in snake case.
    enum CodingKeys: String, CodingKey {
        case id, object, account, kind, name, cancellation, secret
        case webhookPath = "webhook_path"
        case credentialHints = "credential_hints"
        case gracePeriodHours = "grace_period_hours"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// The API view of `gateway`; `generatedSecret` only right after one was made.
    init(_ gateway: PaymentGateway, generatedSecret: String? = nil) {
        id = gateway.id.rawValue
        object = "payment_gateway"
        account = gateway.accountID.rawValue
        kind = gateway.kind.rawValue
        name = gateway.name
        webhookPath = "/webhooks/\(gateway.kind.rawValue)/\(gateway.id.rawValue)"
        credentialHints = switch gateway.credentials {
        case .signingSecrets(let secrets): secrets.map(GatewayCredentialRules.hint(of:))
        case .braintreeKeys(let keys): keys.map { "public key …" + $0.publicKey.suffix(4) }
        }
        gracePeriodHours = Int(gateway.graceLength / 3600)
        cancellation = gateway.cancellation.rawValue
        secret = generatedSecret
        createdAt = gateway.createdAt
        updatedAt = gateway.updatedAt
    }
}
