import Foundation

/// One line of a bundle's history: the grant that began it, or a top-up, with who and when.
public struct BundleChange: Equatable, Sendable {
    /// What the change did.
    public enum Kind: String, Sendable {
        /// A new bundle replaced whatever there was (provisioning on an AOFU tariff).
        case granted
        /// Bytes added to the bundle.
        case toppedUp = "topped_up"
    }

    /// The change's own id, for the history list.
    public let id: String
    /// The SIM whose bundle changed.
    public let simID: SimID
    /// The account that held the SIM then; only it sees the line.
    public let accountID: AccountID?
    /// A grant or a top-up.
    public let kind: Kind
    /// Bytes granted or added.
    public let bytes: UInt64
    /// Who did it and why.
    public let cause: ChangeCause
    /// When.
    public let at: Date

    /// A history line as stored.
    public init(id: String, simID: SimID, accountID: AccountID?, kind: Kind, bytes: UInt64, cause: ChangeCause, at: Date) {
        self.id = id
        self.simID = simID
        self.accountID = accountID
        self.kind = kind
        self.bytes = bytes
        self.cause = cause
        self.at = at
    }
}
