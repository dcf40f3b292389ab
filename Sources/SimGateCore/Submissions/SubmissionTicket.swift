import Foundation

/// A request to the Cellhire-compatible API, accepted at once and carried out by a durable job;
/// the client polls the ticket to learn when it completed or why it failed.
public struct SubmissionTicket: Equatable, Sendable {
    /// What was asked.
    public enum Kind: String, Sendable, CaseIterable {
        /// Put SIMs on a tariff and provision them.
        case provision = "Provision"
        /// Set AOFU shutdown thresholds.
        case configureThreshold = "ConfigureThreshold"
        /// Add to AOFU bundles.
        case topUp = "TopUp"
        /// Take SIMs off the network.
        case unprovision = "Unprovision"
    }

    /// Where the work stands.
    public enum Status: String, Sendable {
        /// Accepted; the job has not finished it yet.
        case pending
        /// Done, all of it.
        case complete
        /// Refused when carried out; nothing of it was done (see `errorText`).
        case failed
    }

    /// The ticket number, a GUID as Cellhire's.
    public let id: String
    /// The account the submitting client acts for; only it sees the ticket.
    public let accountID: AccountID
    /// The client that submitted it.
    public let clientID: APIClientID
    /// Provision, ConfigureThreshold, TopUp or Unprovision.
    public let kind: Kind
    /// The submission's validated body, as JSON, for the job that carries it out.
    public let payload: String
    /// Pending, complete or failed.
    public var status: Status
    /// When it was accepted.
    public let createdOn: Date
    /// The submitting client's name.
    public let createdBy: String
    /// When the job finished it, either way.
    public var completedOn: Date?
    /// A number for the kind of failure (see ``SubmissionFailure``); `nil` unless failed.
    public var errorID: Int?
    /// Why it failed, for a person; `nil` unless failed.
    public var errorText: String?

    /// A ticket as stored or just accepted.
    public init(
        id: String, accountID: AccountID, clientID: APIClientID, kind: Kind, payload: String, status: Status, createdOn: Date,
        createdBy: String, completedOn: Date? = nil, errorID: Int? = nil, errorText: String? = nil
    ) {
        self.id = id
        self.accountID = accountID
        self.clientID = clientID
        self.kind = kind
        self.payload = payload
        self.status = status
        self.createdOn = createdOn
        self.createdBy = createdBy
        self.completedOn = completedOn
        self.errorID = errorID
        self.errorText = errorText
    }
}
