import Crypto
import Foundation
import SimGateCore

/// The text form of API keys and how they are checked.
///
/// A key reads `sgk_<key id>_<secret>`: the id part finds the stored row by primary key, then
/// the SHA-256 of the whole key is compared with the stored hash in constant time. The secret
/// itself is never stored.
enum APIKeySecret {
    /// What every key starts with; the key id part follows it.
    static let prefix = "sgk_"

    /// A new key for `id`: 40 random base-62 characters (about 238 bits).
    static func make(for id: APIKeyID) -> String {
        let secret = RandomText.base62(40)
        return prefix + id.rawValue.dropFirst(APIKeyKind.prefix.count + 1) + "_" + secret
    }

    /// The key id inside a presented key, if it has the right shape.
    static func keyID(in presented: String) -> APIKeyID? {
        guard presented.hasPrefix(prefix), presented.count < 200 else { return nil }
        let parts = presented.dropFirst(prefix.count).split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return APIKeyID(parsing: APIKeyKind.prefix + "_" + parts[0])
    }

    /// Hex SHA-256 of the whole key: what is stored.
    static func hash(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).hexString
    }

    /// Compares a presented key with a stored hash without an early exit, so timing tells
    /// nothing about how many characters matched.
    static func matches(_ presented: String, storedHash: String) -> Bool {
        ConstantTime.equals(Array(hash(presented).utf8), Array(storedHash.utf8))
    }

    /// What is shown of a key after creation: the key id part, which is not secret, and the
    /// last four characters of the secret, so a person can match it against their copy.
    static func redacted(_ key: String) -> String {
        let secretStart = key.lastIndex(of: "_").map { key.index(after: $0) } ?? key.endIndex
        return String(key[..<secretStart]) + "…" + String(key.suffix(4))
    }
}
