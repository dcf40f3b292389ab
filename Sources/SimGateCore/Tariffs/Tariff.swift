import Foundation

/// A numbered tariff the operator offers (Cellhire's `tariffNumber`): standard, or Activate On
/// First Use, and the customer accounts allowed to put SIMs on it.
public struct Tariff: Equatable, Sendable {
    /// Standard tariffs run as long as the SIM is provisioned; AOFU tariffs end a set number
    /// of hours after the SIM first passes data, with a data bundle.
    public enum Kind: String, Sendable, CaseIterable {
        /// Provisioned until someone unprovisions it; no threshold, no bundle.
        case standard
        /// Activate On First Use: a threshold after first use, and a data bundle.
        case aofu
    }

    /// The tariff's number, unique: what Cellhire's `tariffNumber` names (1 or more).
    public let number: Int
    /// What the operator calls it.
    public var name: String
    /// Standard or Activate On First Use.
    public let kind: Kind
    /// The customer accounts that may provision SIMs on it.
    public var accounts: Set<AccountID>
    /// When the operator created it.
    public let createdAt: Date
    /// When its name or accounts last changed.
    public var updatedAt: Date

    /// The largest tariff number Cellhire's API carries (a 32-bit signed integer).
    public static let maximumNumber = 2_147_483_647

    /// A tariff as stored or just created.
    public init(number: Int, name: String, kind: Kind, accounts: Set<AccountID>, createdAt: Date, updatedAt: Date) {
        self.number = number
        self.name = name
        self.kind = kind
        self.accounts = accounts
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Whether `account` may provision SIMs on it.
    public func isOffered(to account: AccountID) -> Bool {
        accounts.contains(account)
    }
}
