import Crypto
import Foundation
import SimGateCore

/// The text forms of OAuth client secrets and access tokens, and how they are checked. Both
/// are random; only their SHA-256 is stored, and a presented secret is compared in constant time.
///
/// Tokens are opaque (RFC 6749 leaves their form to the server): revoking a client ends its
/// tokens at once, which a self-contained signed token could not do before it expired.
enum ClientCredentials {
    /// A new client secret: `sgc_` and 40 random base-62 characters (about 238 bits).
    static func makeSecret() -> String { "sgc_" + RandomText.base62(40) }

    /// A new access token: `sgt_` and 43 random base-62 characters (about 256 bits).
    static func makeToken() -> String { "sgt_" + RandomText.base62(43) }

    /// Hex SHA-256 of a secret or token: what is stored.
    static func hash(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).hexString
    }

    /// Compares a presented secret with a stored hash without an early exit.
    static func matches(_ presented: String, storedHash: String) -> Bool {
        ConstantTime.equals(Array(hash(presented).utf8), Array(storedHash.utf8))
    }

    /// The secret as shown after creation: its prefix and last four characters.
    static func redacted(_ secret: String) -> String {
        String(secret.prefix(4)) + "…" + String(secret.suffix(4))
    }
}
