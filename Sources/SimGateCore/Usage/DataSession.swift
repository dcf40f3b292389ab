import Foundation

/// Identifies an accounting session: the gateway that runs it and its Acct-Session-Id.
public struct SessionKey: Hashable, Sendable {
    /// The gateway: its NAS-IP-Address, else NAS-Identifier, else the RADIUS client's name.
    public let nas: String
    /// The gateway's Acct-Session-Id; unique only within that gateway.
    public let sessionID: String

    /// The key of session `sessionID` on gateway `nas`.
    public init(nas: String, sessionID: String) {
        self.nas = nas
        self.sessionID = sessionID
    }
}

/// How a gateway answered the last Disconnect-Request for a session.
public enum DisconnectOutcome: String, Sendable {
    /// Disconnect-ACK: the gateway ended the session.
    case acked
    /// Disconnect-NAK: the gateway refused; the Error-Cause says why.
    case nacked
    /// No answer after every retry.
    case noAnswer = "no_answer"
    /// Never sent: the session's gateway is not (or no longer) a configured RADIUS client, so
    /// there is no secret to sign with and no CoA port to send to.
    case notSent = "not_sent"
}

/// The last Disconnect-Request sent for a session and how the gateway answered.
public struct SessionDisconnect: Sendable, Equatable {
    /// How the gateway answered.
    public let outcome: DisconnectOutcome
    /// The Error-Cause of a NAK (RFC 5176 section 3.5).
    public let errorCause: UInt32?
    /// When the outcome was recorded.
    public let at: Date

    /// An acknowledged disconnect ends the session even if the gateway's Stop never comes, and
    /// so does a NAK whose Error-Cause is 503, Session Context Not Found (RFC 5176): the gateway
    /// has no such session. Left open, a session a gateway's reboot had ended was asked about,
    /// and refused, at every later departure from LIVE, for good.
    public var endsSession: Bool { outcome == .acked || (outcome == .nacked && errorCause == Self.sessionContextNotFound) }

    /// RFC 5176's Error-Cause for a session the gateway does not have.
    public static let sessionContextNotFound: UInt32 = 503

    /// An answer to a Disconnect-Request; `errorCause` only for a NAK that carried one.
    public init(outcome: DisconnectOutcome, errorCause: UInt32?, at: Date) {
        self.outcome = outcome
        self.errorCause = errorCause
        self.at = at
    }
}

/// One data session as the gateway reported it: its highest counters so far, where it is,
/// and how a Disconnect-Request for it was answered.
public struct DataSession: Sendable, Equatable {
    /// The gateway running the session (see ``SessionKey/nas``).
    public let nas: String
    /// The gateway's Acct-Session-Id.
    public let sessionID: String
    /// The SIM using the session.
    public let simID: SimID
    /// The account that held the SIM when the session began; only it sees the session.
    public let accountID: AccountID?
    /// The RADIUS client (gateway) address the session's reports come from.
    public var clientAddress: String
    /// When the session began, as its first report said.
    public let startedAt: Date
    /// Whether ``startedAt`` was read from the gateway's clock (its Event-Timestamp) rather than
    /// SimGate's (arrival less Acct-Delay-Time); nil for sessions stored before this was kept.
    public let startedByGatewayClock: Bool?
    /// When SimGate first heard of the session, by its own clock: the first report's arrival
    /// less its Acct-Delay-Time. Every report that adds bytes was made later. `nil` for
    /// sessions stored before this was kept.
    public let firstHeardAt: Date?
    /// When a report last touched the session.
    public var updatedAt: Date
    /// When it stopped (Stop, Accounting-On/Off or an acknowledged disconnect); `nil` while open.
    public var stoppedAt: Date?
    /// The highest byte totals reported so far.
    public var counters: SessionCounters
    /// The serving network as MCC followed by MNC, as last reported.
    public var mccMNC: String?
    /// ISO 3166-1 alpha-2 country of the serving network, when known.
    public var country: String?
    /// Radio access technology (`EUTRAN`, `NR`, ...), as last reported.
    public var rat: String?
    /// IMEI digits of the device, as last reported.
    public var imei: String?
    /// The User-Name the gateway opened the session with (a Disconnect-Request names it again).
    public var userName: String?
    /// The device's address in the session (Framed-IP-Address).
    public var framedIPAddress: String?
    /// The answer to the last Disconnect-Request; `nil` if none was sent.
    public var disconnect: SessionDisconnect?

    /// The gateway and Acct-Session-Id that identify the session.
    public var key: SessionKey { SessionKey(nas: nas, sessionID: sessionID) }

    /// Assembles a session; a new one has zero counters and no disconnect.
    public init(
        nas: String, sessionID: String, simID: SimID, accountID: AccountID?, clientAddress: String, startedAt: Date,
        startedByGatewayClock: Bool? = nil, firstHeardAt: Date? = nil, updatedAt: Date, stoppedAt: Date? = nil,
        counters: SessionCounters = SessionCounters(), mccMNC: String? = nil, country: String? = nil, rat: String? = nil,
        imei: String? = nil, userName: String? = nil, framedIPAddress: String? = nil, disconnect: SessionDisconnect? = nil
    ) {
        self.userName = userName
        self.framedIPAddress = framedIPAddress
        self.nas = nas
        self.sessionID = sessionID
        self.simID = simID
        self.startedByGatewayClock = startedByGatewayClock
        self.firstHeardAt = firstHeardAt
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
