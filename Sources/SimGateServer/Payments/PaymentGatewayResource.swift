import Foundation
import SimGateCore

/// A payment gateway configuration as the API shows it: never its secrets, only how many
/// there are and a hint of each; `secret` only in the answer that generated one.
struct PaymentGatewayResource: Codable, Equatable, Sendable {
    let id: String
    let object: String
    let account: String
    let kind: String
    let name: String
    /// Where the gateway must send its webhooks (path on this server).
    let webhookPath: String
    /// The last four characters of each secret or Braintree public key, to tell them apart.
    let credentialHints: [String]
    let gracePeriodHours: Int
    let cancellation: String
    let secret: String?
    let createdAt: Date
    let updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, object, account, kind, name, cancellation, secret
        case webhookPath = "webhook_path"
        case credentialHints = "credential_hints"
        case gracePeriodHours = "grace_period_hours"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    init(_ gateway: PaymentGateway, generatedSecret: String? = nil) {
        id = gateway.id.rawValue
        object = "payment_gateway"
        account = gateway.accountID.rawValue
        kind = gateway.kind.rawValue
        name = gateway.name
        webhookPath = "/webhooks/\(gateway.kind.rawValue)/\(gateway.id.rawValue)"
        credentialHints = switch gateway.credentials {
        case .signingSecrets(let secrets): secrets.map { "…" + $0.suffix(4) }
        case .braintreeKeys(let keys): keys.map { "public key …" + $0.publicKey.suffix(4) }
        }
        gracePeriodHours = Int(gateway.graceLength / 3600)
        cancellation = gateway.cancellation.rawValue
        secret = generatedSecret
        createdAt = gateway.createdAt
        updatedAt = gateway.updatedAt
    }
}
