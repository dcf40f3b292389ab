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
        if let existing = try readKeyFile(at: path) { return existing }
        let key = SecretBox.newKey()
        guard try createKeyFile(at: path, contents: key + "\n") else {
            // Another process made the file between the look and the creation: use its key.
            guard let made = try readKeyFile(at: path) else {
                throw ConfigurationError(variable: "secrets key file", value: path, expected: "a path SimGate can create")
            }
            return made
        }
        logger.notice("Created a new secrets key; keep it with the database's backups", metadata: ["file": "\(path)"])
        return SecretBox(base64: key)!
    }

    /// The key in the file at `path`; `nil` only when nothing is there. A file that is there but
    /// cannot be read, is not a regular file or holds no key stops the start: a new key in its
    /// place would leave every secret sealed with the old one unopenable.
    private static func readKeyFile(at path: String) throws -> SecretBox? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw ConfigurationError(variable: "secrets key file", value: path, expected: "a file SimGate can read (\(String(cString: strerror(errno))))")
        }
        // A FIFO or a device would hang the start or feed it endless bytes.
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw ConfigurationError(variable: "secrets key file", value: path, expected: "a regular file holding the base64 of 32 random bytes")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigurationError(variable: "secrets key file", value: path, expected: "a file SimGate can read (\(error.localizedDescription))")
        }
        guard let text = String(data: data, encoding: .utf8), let box = SecretBox(base64: text) else {
            throw ConfigurationError(variable: "secrets key file", value: path, expected: "a file holding the base64 of 32 random bytes")
        }
        return box
    }

    /// Creates the file at `path` with `contents`, readable by its owner only, unless something
    /// is already there (then `false`): an existing key file is never written over. The key is
    /// written and synced under a name of its own first, then linked into place, so no reader
    /// (another instance starting) ever sees a file with part of a key, nor does a crash leave one.
    private static func createKeyFile(at path: String, contents: String) throws -> Bool {
        let temporary = path + ".new-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw ConfigurationError(variable: "secrets key file", value: path, expected: "a path SimGate can create (\(String(cString: strerror(errno))))")
        }
        defer { unlink(temporary) }
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = written == bytes.count && fsync(descriptor) == 0
        let writeError = errno
        close(descriptor)
        guard synced else {
            throw ConfigurationError(variable: "secrets key file", value: path, expected: "a path SimGate can write (\(String(cString: strerror(writeError))))")
        }
        guard link(temporary, path) == 0 else {
            let linkError = errno
            if linkError == EEXIST { return false }
            throw ConfigurationError(variable: "secrets key file", value: path, expected: "a path SimGate can create (\(String(cString: strerror(linkError))))")
        }
        return true
    }
}
