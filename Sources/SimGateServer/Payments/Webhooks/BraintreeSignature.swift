import Crypto
import Foundation

/// Braintree's webhook signature: `bt_signature` is one or more `public_key|hex` pairs joined
/// by `&`; each hex is HMAC-SHA1 over `bt_payload` exactly as received (newlines included),
/// keyed with the raw 20-byte SHA-1 digest of the private key of that public key.
enum BraintreeSignature {
    /// One API key pair of a Braintree merchant.
    struct KeyPair: Sendable, Equatable {
        /// The public key, as named in `bt_signature`.
        let publicKey: String
        /// The private key, whose SHA-1 digest keys the HMAC.
        let privateKey: String
    }

    /// Returns if a pair of `signature` matches its key in `keys`; throws otherwise.
    static func verify(signature: String?, payload: String, keys: [KeyPair]) throws(WebhookVerificationError) {
        guard let signature, !signature.isEmpty else { throw .missingSignature("bt_signature is missing.") }
        for pair in signature.split(separator: "&") {
            let parts = pair.split(separator: "|", maxSplits: 1)
            guard parts.count == 2 else { continue }
            for key in keys where key.publicKey == parts[0] {
                let expected = Array(digest(payload, privateKey: key.privateKey).hexString.utf8)
                if ConstantTime.equals(expected, Array(parts[1].lowercased().utf8)) { return }
            }
        }
        throw .signatureMismatch
    }

    /// The `bt_signature` Braintree would send; for tests and the simulator.
    static func sign(payload: String, key: KeyPair) -> String {
        key.publicKey + "|" + digest(payload, privateKey: key.privateKey).hexString
    }

    private static func digest(_ payload: String, privateKey: String) -> HMAC<Insecure.SHA1>.MAC {
        let signingKey = SymmetricKey(data: Data(Insecure.SHA1.hash(data: Data(privateKey.utf8))))
        return HMAC<Insecure.SHA1>.authenticationCode(for: Data(payload.utf8), using: signingKey)
    }
}
