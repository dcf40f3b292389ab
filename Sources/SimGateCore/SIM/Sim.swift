import Foundation

/// Everything SimGate knows about one SIM.
public struct Sim: Equatable, Sendable {
    public let id: SimID
    public let iccid: ICCID
    public var imsi: IMSI
    public var msisdn: MSISDN?
    public var eid: EID?
    /// The stock serial number (Cellhire's `serialNumber`); the ICCID unless set.
    public var serialNumber: String
    /// The device the SIM is bound to, once known.
    public var imei: IMEI?
    /// The customer account that owns the SIM; `nil` while it is the operator's stock.
    public var accountID: AccountID?
    /// Status and holds.
    public var state: SimState
    /// Tariff number, once one is set.
    public var tariffNumber: Int?
    public var labels: SimLabels
    public var metadata: SimMetadata
    /// When the SIM first passed data.
    public var firstUseAt: Date?
    /// Where and in which device the network last saw the SIM, once it has.
    public var lastSeen: SimSighting?
    /// The last status change and its cause: why the SIM is in the status it is in.
    public var statusChangedAt: Date
    public var statusCause: ChangeCause
    public let createdAt: Date
    public var updatedAt: Date

    public init(
        id: SimID, iccid: ICCID, imsi: IMSI, msisdn: MSISDN?, eid: EID?, serialNumber: String?,
        imei: IMEI? = nil, accountID: AccountID? = nil, state: SimState = SimState(status: .inventory),
        tariffNumber: Int? = nil, labels: SimLabels = SimLabels(), metadata: SimMetadata = SimMetadata(),
        firstUseAt: Date? = nil, lastSeen: SimSighting? = nil, statusChangedAt: Date, statusCause: ChangeCause, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.iccid = iccid
        self.imsi = imsi
        self.msisdn = msisdn
        self.eid = eid
        self.serialNumber = serialNumber ?? iccid.digits
        self.imei = imei
        self.accountID = accountID
        self.state = state
        self.tariffNumber = tariffNumber
        self.labels = labels
        self.metadata = metadata
        self.firstUseAt = firstUseAt
        self.lastSeen = lastSeen
        self.statusChangedAt = statusChangedAt
        self.statusCause = statusCause
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The current status.
    public var status: SimStatus { state.status }
}
