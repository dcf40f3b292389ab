import Foundation
import SimGateCore

/// What to list SIMs by; every field that is set narrows the list.
public struct SimFilter: Sendable, Equatable {
    /// Only SIMs of this account. Customers always list with their own account here.
    public var accountID: AccountID?
    /// Only SIMs in one of these statuses; empty for any status.
    public var statuses: [SimStatus]
    /// SIMs carrying this label.
    public var label: String?
    /// Only the SIM with this ICCID.
    public var iccid: ICCID?
    /// Only the SIM with this IMSI.
    public var imsi: IMSI?
    /// Only the SIM with this phone number.
    public var msisdn: MSISDN?
    /// Only SIMs bound to this device.
    public var imei: IMEI?
    /// Only AOFU SIMs whose shutdown falls due before this instant.
    public var shutdownBefore: Date?
    /// Only SIMs on this tariff.
    public var tariffNumber: Int?
    /// Only SIMs last seen in this country (ISO 3166-1 alpha-2).
    public var country: String?

    /// A filter; every field left out narrows nothing.
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
