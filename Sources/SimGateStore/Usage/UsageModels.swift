import Foundation
import SimGateCore

/// Identifies an accounting session: the gateway that runs it and its Acct-Session-Id.
public struct SessionKey: Hashable, Sendable {
    public let nas: String
    public let sessionID: String

    public init(nas: String, sessionID: String) {
        self.nas = nas
        self.sessionID = sessionID
    }
}

/// How a gateway answered the last Disconnect-Request for a session.
public enum DisconnectOutcome: String, Sendable {
    case acked
    case nacked
    /// No answer after every retry.
    case noAnswer = "no_answer"
}

/// The last Disconnect-Request sent for a session and how the gateway answered.
public struct SessionDisconnect: Sendable, Equatable {
    public let outcome: DisconnectOutcome
    /// The Error-Cause of a NAK (RFC 5176 section 3.5).
    public let errorCause: UInt32?
    public let at: Date

    public init(outcome: DisconnectOutcome, errorCause: UInt32?, at: Date) {
        self.outcome = outcome
        self.errorCause = errorCause
        self.at = at
    }
}

/// One accounting session as stored: its highest counters so far and where it is.
public struct StoredSession: Sendable, Equatable {
    public let nas: String
    public let sessionID: String
    public let simID: SimID
    /// The account that held the SIM when the session began; only it sees the session.
    public let accountID: AccountID?
    /// The RADIUS client (gateway) address the session's reports come from.
    public var clientAddress: String
    public let startedAt: Date
    public var updatedAt: Date
    public var stoppedAt: Date?
    public var counters: SessionCounters
    public var mccMNC: String?
    public var country: String?
    public var rat: String?
    public var imei: String?
    /// The User-Name the gateway opened the session with (a Disconnect-Request names it again).
    public var userName: String?
    /// The device's address in the session (Framed-IP-Address).
    public var framedIPAddress: String?
    public var disconnect: SessionDisconnect?

    public var key: SessionKey { SessionKey(nas: nas, sessionID: sessionID) }

    public init(
        nas: String, sessionID: String, simID: SimID, accountID: AccountID?, clientAddress: String, startedAt: Date, updatedAt: Date, stoppedAt: Date? = nil,
        counters: SessionCounters = SessionCounters(), mccMNC: String? = nil, country: String? = nil, rat: String? = nil,
        imei: String? = nil, userName: String? = nil, framedIPAddress: String? = nil, disconnect: SessionDisconnect? = nil
    ) {
        self.userName = userName
        self.framedIPAddress = framedIPAddress
        self.nas = nas
        self.sessionID = sessionID
        self.simID = simID
        self.accountID = accountID
        self.clientAddress = clientAddress
        self.startedAt = startedAt
        self.updatedAt = updatedAt
        self.stoppedAt = stoppedAt
        self.counters = counters
        self.mccMNC = mccMNC
        self.country = country
        self.rat = rat
        self.imei = imei
        self.disconnect = disconnect
    }
}

/// A usage record: bytes a SIM used over an interval, and where.
public struct UsageRecord: Sendable, Equatable {
    public let id: String
    public let simID: SimID
    /// The account that owned the SIM when the bytes were used.
    public let accountID: AccountID?
    /// `radius`, `api` or `csv`.
    public let source: String
    /// The sender's own id, for idempotency; RADIUS records use none.
    public let senderID: String?
    public let sessionID: String?
    public let startedAt: Date
    public let endedAt: Date
    public let bytesUp: UInt64
    public let bytesDown: UInt64
    public let mccMNC: String?
    /// ISO 3166-1 alpha-2 country of the serving network.
    public let country: String?
    /// Radio access technology (`EUTRAN`, `NR`, ...).
    public let rat: String?
    public let imei: String?

    public init(
        id: String, simID: SimID, accountID: AccountID?, source: String, senderID: String?, sessionID: String?,
        startedAt: Date, endedAt: Date, bytesUp: UInt64, bytesDown: UInt64, mccMNC: String?, country: String? = nil,
        rat: String? = nil, imei: String?
    ) {
        self.id = id
        self.simID = simID
        self.accountID = accountID
        self.source = source
        self.senderID = senderID
        self.sessionID = sessionID
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.bytesUp = bytesUp
        self.bytesDown = bytesDown
        self.mccMNC = mccMNC
        self.country = country
        self.rat = rat
        self.imei = imei
    }

    /// What the record tells about its SIM.
    public var observation: UsageObservation {
        UsageObservation(
            bytes: bytesUp.addingReportingOverflow(bytesDown).overflow ? .max : bytesUp + bytesDown, startedAt: startedAt, endedAt: endedAt,
            dataSeenAt: source == "radius" ? endedAt : startedAt, mccMNC: mccMNC, country: country,
            imei: imei.map(IMEI.init(trusted:))
        )
    }
}

/// A row of `usage_totals`: one SIM, one period (`2026-11-22` or `2026-11`), one country ("" unknown).
struct UsageTotalKey: Hashable {
    let simID: SimID
    let accountID: AccountID?
    let period: String
    let granularity: UsageGranularity
    let country: String

    /// The table's own key (the account is not part of it).
    struct Row: Hashable {
        let simID: String
        let period: String
        let country: String
    }

    var row: Row { Row(simID: simID.rawValue, period: period, country: country) }

    /// One SIM's period over all its countries.
    struct SimPeriod: Hashable {
        let simID: String
        let period: String
    }

    var simPeriod: SimPeriod { SimPeriod(simID: simID.rawValue, period: period) }
}

/// Whether a total covers a UTC day or a UTC month.
enum UsageGranularity: String, Hashable, Sendable {
    case day, month
}

/// Whose totals to read and how to cut them.
public struct UsageTotalsQuery: Sendable {
    public enum Scope: Sendable {
        case sim(SimID)
        case account(AccountID)
        /// Every account's (the operator's view).
        case everyone
    }

    public var scope: Scope
    /// Months (`YYYY-MM`) rather than days (`YYYY-MM-DD`).
    public var months: Bool
    /// First and last period keys, inclusive.
    public var from: String
    public var to: String
    /// Only this country ("" for unknown).
    public var country: String?
    /// Only usage of this account (a SIM's former owners' usage stays theirs).
    public var account: AccountID?
    /// One row per country rather than one per period.
    public var byCountry: Bool

    public init(scope: Scope, months: Bool, from: String, to: String, country: String? = nil, byCountry: Bool = false, account: AccountID? = nil) {
        self.account = account
        self.scope = scope
        self.months = months
        self.from = from
        self.to = to
        self.country = country
        self.byCountry = byCountry
    }
}

/// Bytes in one period, and one country when totals are cut by country.
public struct UsageTotal: Sendable, Equatable {
    public let period: String
    public let country: String?
    public let up: UInt64
    public let down: UInt64

    public init(period: String, country: String?, up: UInt64, down: UInt64) {
        self.period = period
        self.country = country
        self.up = up
        self.down = down
    }
}
