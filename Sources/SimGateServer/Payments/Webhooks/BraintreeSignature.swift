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
    ///
    /// Each key's signature is worked out once, however many pairs name it: worked out for
    /// every pair, a quarter of a megabyte naming one public key 11,000 times cost 1.7 s of CPU
    /// a request, from anyone who knows the gateway's URL and public key.
    static func verify(signature: String?, payload: String, keys: [KeyPair]) throws(WebhookVerificationError) {
        try verify(signature: signature, keys: keys) { Array(digest(payload, privateKey: $0.privateKey).hexString.utf8) }
    }

    /// `verify(signature:payload:keys:)` with each key's expected hex signature from `sign`,
    /// so a test can count how often it is worked out.
    static func verify(signature: String?, keys: [KeyPair], sign: (KeyPair) -> [UInt8]) throws(WebhookVerificationError) {
        guard let signature, !signature.isEmpty else { throw .missingSignature("bt_signature is missing.") }
        var expected: [Int: [UInt8]] = [:]
        for pair in signature.split(separator: "&") {
            let parts = pair.split(separator: "|", maxSplits: 1)
            guard parts.count == 2 else { continue }
            for (index, key) in keys.enumerated() where key.publicKey == parts[0] {
                let keySignature = expected[index] ?? sign(key)
                expected[index] = keySignature
                if ConstantTime.equals(keySignature, Array(parts[1].lowercased().utf8)) { return }
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
