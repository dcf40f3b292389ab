import Foundation

/// OAuth client credentials an account issues for the Cellhire-compatible API: the client
/// trades its id and secret for short-lived tokens that act for that account only. Only a
/// hash of the secret is kept.
public struct APIClient: Equatable, Sendable {
    /// The client's `cli_...` id, which is also its OAuth `client_id`.
    public let id: APIClientID
    /// The one account its tokens act for.
    public let accountID: AccountID
    /// A name to recognise it by; tickets show it as `createdBy`.
    public let name: String
    /// The secret with all but its last four characters hidden.
    public let redactedSecret: String
    /// When it was issued.
    public let createdAt: Date
    /// When it was revoked; a revoked client gets no token, and its tokens stop working.
    public var revokedAt: Date?

    /// Longest name, in characters.
    public static let maximumNameLength = 200

    /// A client as stored or just created.
    public init(id: APIClientID, accountID: AccountID, name: String, redactedSecret: String, createdAt: Date, revokedAt: Date?) {
        self.id = id
        self.accountID = accountID
        self.name = name
        self.redactedSecret = redactedSecret
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}
