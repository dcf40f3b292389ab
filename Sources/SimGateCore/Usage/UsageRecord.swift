import Foundation

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
