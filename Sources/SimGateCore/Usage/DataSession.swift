import Foundation

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

    /// An acknowledged disconnect ends the session even if the gateway's Stop never comes.
    public var endsSession: Bool { outcome == .acked }

    public init(outcome: DisconnectOutcome, errorCause: UInt32?, at: Date) {
        self.outcome = outcome
        self.errorCause = errorCause
        self.at = at
    }
}

/// One data session as the gateway reported it: its highest counters so far, where it is,
/// and how a Disconnect-Request for it was answered.
public struct DataSession: Sendable, Equatable {
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
