import SimGateCore

/// What to list SIMs by; every field that is set narrows the list.
public struct SimFilter: Sendable, Equatable {
    /// Only SIMs of this account. Customers always list with their own account here.
    public var accountID: AccountID?
    public var statuses: [SimStatus]
    /// SIMs carrying this label.
    public var label: String?
    public var iccid: ICCID?
    public var imsi: IMSI?
    public var msisdn: MSISDN?
    public var imei: IMEI?

    public init(
        accountID: AccountID? = nil, statuses: [SimStatus] = [], label: String? = nil,
        iccid: ICCID? = nil, imsi: IMSI? = nil, msisdn: MSISDN? = nil, imei: IMEI? = nil
    ) {
        self.accountID = accountID
        self.statuses = statuses
        self.label = label
        self.iccid = iccid
        self.imsi = imsi
        self.msisdn = msisdn
        self.imei = imei
    }
}
