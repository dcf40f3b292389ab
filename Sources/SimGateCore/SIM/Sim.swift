import Foundation

/// Everything SimGate knows about one SIM.
public struct Sim: Equatable, Sendable {
    /// The SIM's stable `sim_...` identifier.
    public let id: SimID
    /// The number printed on the card; it never changes.
    public let iccid: ICCID
    /// The subscriber identity the network sees; accounting finds the SIM by it.
    public var imsi: IMSI
    /// The SIM's phone number, if it has one.
    public var msisdn: MSISDN?
    /// The eUICC identifier; only embedded SIMs have one.
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
    /// The customer's tags; cleared when the SIM leaves the customer.
    public var labels: SimLabels
    /// The customer's key-value pairs; cleared when the SIM leaves the customer.
    public var metadata: SimMetadata
    /// When the SIM first passed data.
    public var firstUseAt: Date?
    /// On an AOFU tariff: how long after its first use the SIM is unprovisioned.
    public var shutdownThreshold: ShutdownThreshold?
    /// On an AOFU tariff: the data it may use. Written only by adding (grants, top-ups, use),
    /// never by saving the SIM, so concurrent use and top-ups are never lost.
    public var bundle: DataBundle?
    /// Where and in which device the network last saw the SIM, once it has.
    public var lastSeen: SimSighting?
    /// The last status change and its cause: why the SIM is in the status it is in.
    public var statusChangedAt: Date
    /// Who or what made the last status change, and why.
    public var statusCause: ChangeCause
    /// When the SIM entered SimGate.
    public let createdAt: Date
    /// When anything about the SIM last changed.
    public var updatedAt: Date

    /// Assembles a SIM; `serialNumber` `nil` falls back to the ICCID's digits.
    public init(
        id: SimID, iccid: ICCID, imsi: IMSI, msisdn: MSISDN?, eid: EID?, serialNumber: String?,
        imei: IMEI? = nil, accountID: AccountID? = nil, state: SimState = SimState(status: .inventory),
        tariffNumber: Int? = nil, labels: SimLabels = SimLabels(), metadata: SimMetadata = SimMetadata(),
        firstUseAt: Date? = nil, shutdownThreshold: ShutdownThreshold? = nil, bundle: DataBundle? = nil, lastSeen: SimSighting? = nil, statusChangedAt: Date, statusCause: ChangeCause, createdAt: Date, updatedAt: Date
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
        self.shutdownThreshold = shutdownThreshold
        self.bundle = bundle
        self.lastSeen = lastSeen
        self.statusChangedAt = statusChangedAt
        self.statusCause = statusCause
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The current status.
    public var status: SimStatus { state.status }

    /// When an AOFU SIM is due to be unprovisioned: its first use plus its threshold; `nil`
    /// before the first use or without a threshold.
    public var shutdownAt: Date? {
        guard let firstUseAt, let shutdownThreshold else { return nil }
        return shutdownThreshold.shutdown(after: firstUseAt)
    }
}
