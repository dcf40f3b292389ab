import Foundation

/// What a SIM is billed as while it stays so: whose it is, its tariff, its status and, when
/// OFFLINE, the hold that keeps it so. A statement is built from these, one run at a time.
public struct SimBillingTerms: Equatable, Sendable {
    /// The account that holds the SIM; `nil` while it is the operator's stock.
    public let accountID: AccountID?
    /// The tariff it is on, if any.
    public let tariffNumber: Int?
    /// Its status.
    public let status: SimStatus
    /// OFFLINE only: the cause of the hold that has been in force longest, to which the time
    /// offline (and what it saved) is put down.
    public let holdCause: HoldCause?

    /// Terms as stored or derived.
    public init(accountID: AccountID?, tariffNumber: Int?, status: SimStatus, holdCause: HoldCause?) {
        self.accountID = accountID
        self.tariffNumber = tariffNumber
        self.status = status
        self.holdCause = holdCause
    }
}

/// A stretch of time a SIM spent under the same ``SimBillingTerms``: from `start` until `end`,
/// or until now while `end` is `nil`. A SIM's periods follow one another without gaps.
public struct SimPeriod: Equatable, Sendable {
    /// The SIM.
    public let simID: SimID
    /// What it was billed as.
    public let terms: SimBillingTerms
    /// When the terms began.
    public let start: Date
    /// When they ended; `nil` while they still hold.
    public let end: Date?

    /// A period as stored.
    public init(simID: SimID, terms: SimBillingTerms, start: Date, end: Date?) {
        self.simID = simID
        self.terms = terms
        self.start = start
        self.end = end
    }
}

extension Sim {
    /// What the SIM is billed as now. Of several holds, the one placed first (by cause name
    /// when placed together) takes the OFFLINE time until it is lifted.
    public var billingTerms: SimBillingTerms {
        let cause = status == .offline
            ? state.holds.values.min { ($0.placedAt, $0.cause.description) < ($1.placedAt, $1.cause.description) }?.cause
            : nil
        return SimBillingTerms(accountID: accountID, tariffNumber: tariffNumber, status: status, holdCause: cause)
    }
}
