import Foundation

/// A usage record: bytes a SIM used over an interval, and where.
public struct UsageRecord: Sendable, Equatable {
    /// A 26-character sortable id without prefix, unique among records.
    public let id: String
    /// The SIM that used the bytes.
    public let simID: SimID
    /// The account that owned the SIM when the bytes were used.
    public let accountID: AccountID?
    /// `radius`, `api` or `csv`.
    public let source: String
    /// The sender's own id, for idempotency; RADIUS records use none.
    public let senderID: String?
    /// The data session the bytes belong to (Acct-Session-Id for RADIUS), if any.
    public let sessionID: String?
    /// Start of the interval the bytes were used in.
    public let startedAt: Date
    /// End of the interval; it decides the day and month (UTC) the bytes count in.
    public let endedAt: Date
    /// Bytes sent by the device.
    public let bytesUp: UInt64
    /// Bytes received by the device.
    public let bytesDown: UInt64
    /// The serving network as MCC followed by MNC (`26201`), if known.
    public let mccMNC: String?
    /// ISO 3166-1 alpha-2 country of the serving network.
    public let country: String?
    /// Radio access technology (`EUTRAN`, `NR`, ...).
    public let rat: String?
    /// IMEI digits of the device, if reported.
    public let imei: String?

    /// Assembles a record; `country` and `rat` are optional extras.
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

    /// When the SIM was certainly passing data: a RADIUS delta at its report, a record from
    /// elsewhere (a CDR) at its start.
    public var dataSeenAt: Date { source == "radius" ? endedAt : startedAt }

    /// What the record tells about its SIM.
    public var observation: UsageObservation { observation(notAfter: .distantFuture) }

    /// What the record tells about its SIM, as of `now`: a record dated ahead of it (clocks
    /// drift, and records may be up to a day ahead) is read as if it ended now. Taken at its
    /// word, one record dated 12 hours ahead set the SIM's first use 12 hours late and its
    /// sighting to a time every real record until then was older than, so none moved it: no
    /// location change, no roaming rule, for 12 hours.
    public func observation(notAfter now: Date) -> UsageObservation {
        UsageObservation(
            bytes: bytesUp.addingReportingOverflow(bytesDown).overflow ? .max : bytesUp + bytesDown, startedAt: min(startedAt, now), endedAt: min(endedAt, now),
            dataSeenAt: min(dataSeenAt, now), mccMNC: mccMNC, country: country,
            imei: imei.map(IMEI.init(trusted:))
        )
    }
}
