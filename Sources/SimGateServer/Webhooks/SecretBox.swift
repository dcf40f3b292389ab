import Crypto
import Foundation
import SimGateStore

/// Seals secrets SimGate must be able to read again (webhook signing secrets) with AES-GCM
/// under the instance's secrets key, so the database alone never gives them away.
///
/// Sealed text is `v1:` and the base64 of nonce, ciphertext and tag. The key comes from the
/// `secrets_key` setting (or the key file beside the database); every instance sharing a
/// database needs the same key.
public struct SecretBox: SecretSealer {
    private let key: SymmetricKey

    /// A box with this 256-bit key.
    public init(key: SymmetricKey) {
        self.key = key
    }

    /// A box whose key is the 32 bytes `base64` encodes; `nil` when it does not.
    public init?(base64 text: String) {
        guard let bytes = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32 else { return nil }
        key = SymmetricKey(data: bytes)
    }

    /// A new random key, as base64 (for a key file).
    public static func newKey() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// `secret` sealed for storage.
    public func seal(_ secret: String) throws -> String {
        guard let combined = try AES.GCM.seal(Data(secret.utf8), using: key).combined else { throw SecretBoxError.unreadable }
        return "v1:" + combined.base64EncodedString()
    }

    /// The secret `sealed` holds; throws when it was sealed under another key or is damaged.
    public func open(_ sealed: String) throws -> String {
        guard sealed.hasPrefix("v1:"), let combined = Data(base64Encoded: String(sealed.dropFirst(3))) else { throw SecretBoxError.unreadable }
        do {
            return String(decoding: try AES.GCM.open(AES.GCM.SealedBox(combined: combined), using: key), as: UTF8.self)
        } catch {
            throw SecretBoxError.unreadable
        }
    }
}

/// A sealed secret that this instance's key does not open: another key sealed it, or it is damaged.
struct SecretBoxError: Error, CustomStringConvertible {
    /// The one error: the secret does not open.
    static let unreadable = SecretBoxError()
    var description: String { "A stored secret cannot be opened with this instance's secrets key (was the key changed?)." }
}
