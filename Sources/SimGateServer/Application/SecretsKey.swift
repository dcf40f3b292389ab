import Crypto
import Foundation
import Logging

/// Finds the key that seals stored secrets: the `secrets_key` setting, else the key file
/// (made with a new random key, readable by its owner only, on first start).
enum SecretsKey {
    /// The box for `configuration`'s key.
    static func box(for configuration: AppConfiguration, logger: Logger) throws -> SecretBox {
        if let text = configuration.secretsKey {
            guard let box = SecretBox(base64: text) else {
                throw ConfigurationError(variable: SettingKey.secretsKey.environmentVariable, value: "(hidden)", expected: "the base64 of 32 random bytes")
            }
            return box
        }
        guard let path = configuration.secretsKeyFile else {
            // Only an app built in code without either (tests) gets here: its secrets live as long as it does.
            return SecretBox(key: SymmetricKey(size: .bits256))
        }
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            guard let box = SecretBox(base64: text) else {
                throw ConfigurationError(variable: "secrets key file", value: path, expected: "a file holding the base64 of 32 random bytes")
            }
            return box
        }
        let key = SecretBox.newKey()
        guard FileManager.default.createFile(atPath: path, contents: Data((key + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ConfigurationError(variable: "secrets key file", value: path, expected: "a path SimGate can create")
        }
        logger.notice("Created a new secrets key; keep it with the database's backups", metadata: ["file": "\(path)"])
        return SecretBox(base64: key)!
    }
}
