/// Seals secrets the store must keep readable (payment gateways' signing secrets and keys,
/// needed again to check signatures) so that the database alone never gives them away. The
/// server supplies one under its secrets key.
public protocol SecretSealer: Sendable {
    /// `text` sealed for storage, marked with a `v1:` prefix.
    func seal(_ text: String) throws -> String
    /// The text `sealed` holds; throws when another key sealed it or it is damaged.
    func open(_ sealed: String) throws -> String
}
