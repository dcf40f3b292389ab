import Crypto
import Foundation

/// The Standard Webhooks scheme, both for the generic payment events SimGate receives and for
/// the webhooks it sends: headers `webhook-id`, `webhook-timestamp` (Unix seconds) and
/// `webhook-signature` (space-separated `v1,<base64 HMAC-SHA256>`), over
/// `"<id>.<timestamp>.<body>"`, keyed with the bytes of a `whsec_<base64>` secret.
enum StandardWebhookSignature {
    /// Default tolerance for the signed timestamp, in seconds.
    static let defaultTolerance: TimeInterval = 300

    /// Returns if a `v1` signature matches one of `secrets` and `timestamp` is within `tolerance`
    /// seconds of `now`; throws otherwise.
    static func verify(
        id: String?, timestamp: String?, signature: String?, body: Data, secrets: [String], now: Date,
        tolerance: TimeInterval = defaultTolerance
    ) throws(WebhookVerificationError) {
        guard let id, !id.isEmpty, let timestamp, let seconds = WebhookTimestamp.seconds(timestamp), let signature, !signature.isEmpty else {
            throw .missingSignature("webhook-id, webhook-timestamp and webhook-signature are required.")
        }
        let candidates = signature.split(separator: " ").compactMap { entry -> Data? in
            let parts = entry.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1" else { return nil }
            return Data(base64Encoded: String(parts[1]))
        }
        let matches = secrets.compactMap(key(from:)).contains { key in
            let expected = Data(mac(id: id, timestamp: timestamp, body: body, key: key))
            return candidates.contains { ConstantTime.equals(expected, $0) }
        }
        guard matches else { throw .signatureMismatch }
        guard abs(now.timeIntervalSince1970 - seconds) <= tolerance else { throw .staleTimestamp }
    }

    /// The `webhook-signature` value for a message.
    static func sign(id: String, timestamp: String, body: Data, secret: String) -> String? {
        key(from: secret).map { "v1," + Data(mac(id: id, timestamp: timestamp, body: body, key: $0)).base64EncodedString() }
    }

    /// A new secret: `whsec_` and 32 random bytes in base64.
    static func makeSecret() -> String {
        "whsec_" + SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
    }

    /// The HMAC key of a `whsec_<base64>` secret (prefix optional); nil if it is not base64.
    static func key(from secret: String) -> SymmetricKey? {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        return Data(base64Encoded: encoded).map(SymmetricKey.init(data:))
    }

    private static func mac(id: String, timestamp: String, body: Data, key: SymmetricKey) -> HMAC<SHA256>.MAC {
        var signed = Data("\(id).\(timestamp).".utf8)
        signed.append(body)
        return HMAC<SHA256>.authenticationCode(for: signed, using: key)
    }
}
