import Foundation

/// A credential that acts for exactly one account. Only a hash of its secret is kept.
public struct APIKey: Equatable, Sendable {
    /// The key's stable `key_...` identifier.
    public let id: APIKeyID
    /// The one account the key acts for; it never changes.
    public let accountID: AccountID
    /// A name to recognise the key by ("production", "ci").
    public var name: String
    /// The key with all but the last four characters of its secret hidden, so a person can tell keys apart.
    public let redactedSecret: String
    /// When the key was issued.
    public let createdAt: Date
    /// When it was revoked; a revoked key authenticates nothing.
    public var revokedAt: Date?
    /// What the key may do.
    public let scope: Scope

    /// What a key may do, as Stripe's restricted keys.
    public enum Scope: String, Sendable, CaseIterable {
        /// Everything its account may do.
        case full
        /// Read only: GET requests; anything else is refused.
        case readOnly = "read_only"
    }

    /// Assembles a key; `revokedAt` is `nil` for a live key, and `scope` defaults to full.
    public init(
        id: APIKeyID, accountID: AccountID, name: String, redactedSecret: String, createdAt: Date, revokedAt: Date?, scope: Scope = .full
    ) {
        self.scope = scope
        self.id = id
        self.accountID = accountID
        self.name = name
        self.redactedSecret = redactedSecret
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// Longest key name, in characters.
    public static let maximumNameLength = 200
}
