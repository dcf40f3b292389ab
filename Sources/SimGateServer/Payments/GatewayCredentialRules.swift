import Crypto
import Foundation
import SimGateCore

/// What a payment gateway's secrets and key pairs must look like to be stored.
///
/// Every credential is checked before it is kept: one that can never verify anything is a
/// mistake to refuse at once (a secret pasted with its line break failed every webhook after
/// it), and one that is trivially guessed lets anyone forge payments. A Braintree pair with an
/// empty private key was accepted, and its signatures, HMAC-SHA1 under the SHA-1 of nothing,
/// could be made by anyone who knew the public key: a forged charge kept a SIM LIVE to 9999.
enum GatewayCredentialRules {
    /// Characters a secret or key may be made of: visible ASCII, no blank. Stripe's secrets,
    /// Standard Webhooks' and Braintree's keys are all written so.
    static func isCredentialText(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) }
    }

    /// Shortest signing secret or private key, in characters.
    static let shortestSecret = 8
    /// Longest secret or key, in characters.
    static let longestSecret = 200

    /// Whether a signing secret or private key may verify anything: 8 to 200 visible ASCII
    /// characters. Also asked of each stored one as a webhook is verified: a gateway stored
    /// before these checks with an empty private key would otherwise still take forged
    /// payments.
    /// The 8 are counted after a `whsec_` prefix, which every reader of the gateway knows:
    /// `whsec_ab` was accepted, and its hint showed all of its secret part.
    static func isUsableSecret(_ secret: String) -> Bool {
        (shortestSecret...longestSecret).contains(secretPart(of: secret).count) && secret.count <= longestSecret && isCredentialText(secret)
    }

    /// What is secret in a secret: all of it but a `whsec_` prefix.
    static func secretPart(of secret: String) -> Substring {
        secret.hasPrefix("whsec_") ? secret.dropFirst(6) : secret[...]
    }

    /// Whether a Braintree pair may verify anything: a public key a signature can name, and a
    /// usable private key.
    /// A private key equal to its public key, which every signature carries in clear, signs
    /// for anyone.
    static func isUsable(_ key: PaymentGateway.BraintreeKey) -> Bool {
        isUsablePublicKey(key.publicKey) && isUsableSecret(key.privateKey) && key.privateKey != key.publicKey
    }

    /// Whether a Braintree public key can be named by a signature: 1 to 200 visible ASCII
    /// characters without `|` or `&`, which part a signature (a key holding one never matched).
    static func isUsablePublicKey(_ key: String) -> Bool {
        (1...longestSecret).contains(key.count) && isCredentialText(key) && !key.contains("|") && !key.contains("&")
    }

    /// Whether a Standard Webhooks secret (`whsec_` and base64) holds a key of 24 to 64 bytes,
    /// as the specification asks.
    static func isStandardWebhooksSecret(_ secret: String) -> Bool {
        StandardWebhookSignature.key(from: secret).map { (24...64).contains($0.bitCount / 8) } ?? false
    }

    /// Checks signing secrets (Stripe and generic gateways): each 8 to 200 visible ASCII
    /// characters, no two alike.
    static func checkSecrets(_ secrets: [String]) throws {
        for (index, secret) in secrets.enumerated() {
            let param = "secrets[\(index)]"
            guard isUsableSecret(secret) else {
                throw APIError.invalid(
                    "invalid_value",
                    "A secret has \(shortestSecret) to \(longestSecret) visible ASCII characters (after any whsec_ prefix), with no blank or line break.", param: param
                )
            }
            if secrets[..<index].contains(secret) {
                throw APIError.invalid("duplicate_value", "This secret is listed twice.", param: param)
            }
        }
    }

    /// Checks a generic gateway's secrets: Standard Webhooks secrets, base64 (after an optional
    /// `whsec_`) of 24 to 64 bytes, as the specification asks. A one-byte key was accepted, and
    /// its last characters, shown as the secret's hint to any reader of the gateway, were all of it.
    static func checkStandardWebhooksSecrets(_ secrets: [String]) throws {
        for (index, secret) in secrets.enumerated() {
            guard StandardWebhookSignature.key(from: secret) != nil else {
                throw APIError.invalid("invalid_value", "A generic secret is base64, after an optional whsec_ prefix.", param: "secrets[\(index)]")
            }
            guard isStandardWebhooksSecret(secret) else {
                throw APIError.invalid("invalid_value", "A generic secret's base64 holds 24 to 64 bytes.", param: "secrets[\(index)]")
            }
        }
    }

    /// Checks Braintree key pairs: a usable public key, a private key as a secret is, and no
    /// public key twice (a signature names the pair by it).
    static func checkBraintreeKeys(_ keys: [PaymentGateway.BraintreeKey]) throws {
        for (index, key) in keys.enumerated() {
            let param = "braintree_keys[\(index)]"
            guard isUsablePublicKey(key.publicKey) else {
                throw APIError.invalid(
                    "invalid_value", "A public key has 1 to \(longestSecret) visible ASCII characters, without '|' or '&'.", param: "\(param).public_key"
                )
            }
            guard isUsableSecret(key.privateKey) else {
                throw APIError.invalid(
                    "invalid_value", "A private key has \(shortestSecret) to \(longestSecret) visible ASCII characters.", param: "\(param).private_key"
                )
            }
            guard key.privateKey != key.publicKey else {
                throw APIError.invalid("invalid_value", "The private key is the public key, which every signature shows.", param: "\(param).private_key")
            }
            if keys[..<index].contains(where: { $0.publicKey == key.publicKey }) {
                throw APIError.invalid("duplicate_value", "This public key is listed twice.", param: "\(param).public_key")
            }
        }
    }

    /// The tail of a secret shown to tell secrets apart: never more than a quarter of it, and at
    /// most four characters. All four of a short secret's last characters gave away half of it.
    static func hint(of secret: String) -> String {
        let part = secretPart(of: secret)
        return "…" + part.suffix(min(4, part.count / 4))
    }
}

/// A Braintree key pair as a request gives it: its two fields and nothing else.
struct BraintreeKeyRequest: Decodable {
    /// The pair, unchecked (see ``GatewayCredentialRules/checkBraintreeKeys(_:)``).
    let pair: PaymentGateway.BraintreeKey

    /// The only fields a pair may have; any other is an error.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case publicKey = "public_key"
        case privateKey = "private_key"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        pair = PaymentGateway.BraintreeKey(
            publicKey: try container.decode(String.self, forKey: .publicKey), privateKey: try container.decode(String.self, forKey: .privateKey)
        )
    }
}
