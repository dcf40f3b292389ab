import Crypto
import Foundation

/// Standard Webhooks signing: `webhook-signature` is `v1,` and the base64 HMAC-SHA256 of
/// `{webhook-id}.{webhook-timestamp}.{body}` under the secret's key, one per signing secret,
/// separated by spaces while a secret is being rolled.
enum WebhookSignature {
    /// A new signing secret: `whsec_` and the base64 of 32 random bytes, as the official
    /// libraries expect.
    static func newSecret() -> String {
        "whsec_" + SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// The `webhook-signature` header value for this message under each of `secrets`.
    static func header(messageID: String, timestamp: Int64, body: Data, secrets: [String]) -> String {
        secrets.map { "v1," + sign(messageID: messageID, timestamp: timestamp, body: body, secret: $0) }.joined(separator: " ")
    }

    /// One signature, base64.
    static func sign(messageID: String, timestamp: Int64, body: Data, secret: String) -> String {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        let key = SymmetricKey(data: Data(base64Encoded: encoded) ?? Data(secret.utf8))
        var signed = Data("\(messageID).\(timestamp).".utf8)
        signed.append(body)
        return Data(HMAC<SHA256>.authenticationCode(for: signed, using: key)).base64EncodedString()
    }
}
