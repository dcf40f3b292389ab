import Foundation

/// A party that holds SIMs: the operator (one per installation) or one of its customers.
public struct Account: Equatable, Sendable {
    /// Whether an account runs the installation or is a customer of it.
    public enum Role: String, Sendable, CaseIterable {
        /// Runs SimGate: holds the stock, creates customers, may act on any account.
        case `operator`
        /// Owns the SIMs in its devices; sees only its own objects.
        case customer
    }

    /// The account's stable `acct_...` identifier.
    public let id: AccountID
    /// Display name, at most ``maximumNameLength`` characters.
    public var name: String
    /// Operator or customer; fixed when the account is created.
    public let role: Role
    /// When the account was created.
    public let createdAt: Date
    /// The Acct-Interim-Interval (seconds) Access-Accept gives this account's SIMs; the
    /// server's default when `nil`.
    public var radiusInterimInterval: Int?

    /// Assembles an account; `radiusInterimInterval` `nil` leaves the server's default in force.
    public init(id: AccountID, name: String, role: Role, createdAt: Date, radiusInterimInterval: Int? = nil) {
        self.id = id
        self.name = name
        self.role = role
        self.createdAt = createdAt
        self.radiusInterimInterval = radiusInterimInterval
    }

    /// The interim intervals an account may choose: a minute (RFC 2869 advises no less) to a day.
    public static let interimIntervalRange = 60...86_400

    /// Longest account name, in characters.
    public static let maximumNameLength = 200
}
