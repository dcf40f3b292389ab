/// Attribute type numbers SimGate reads or writes (RFC 2865, 2866, 2869, 3579, 5176).
public enum RADIUSAttributeType {
    public static let userName: UInt8 = 1
    public static let userPassword: UInt8 = 2
    public static let nasIPAddress: UInt8 = 4
    public static let nasPort: UInt8 = 5
    public static let serviceType: UInt8 = 6
    public static let framedIPAddress: UInt8 = 8
    public static let replyMessage: UInt8 = 18
    public static let state: UInt8 = 24
    public static let `class`: UInt8 = 25
    public static let vendorSpecific: UInt8 = 26
    public static let sessionTimeout: UInt8 = 27
    public static let calledStationID: UInt8 = 30
    public static let callingStationID: UInt8 = 31
    public static let nasIdentifier: UInt8 = 32
    /// Opaque to the server; a proxy's own state, echoed in the reply (RFC 2865 section 5.33).
    public static let proxyState: UInt8 = 33
    public static let acctStatusType: UInt8 = 40
    public static let acctInputOctets: UInt8 = 42
    public static let acctOutputOctets: UInt8 = 43
    public static let acctSessionID: UInt8 = 44
    public static let acctSessionTime: UInt8 = 46
    public static let acctInputGigawords: UInt8 = 52
    public static let acctOutputGigawords: UInt8 = 53
    public static let eventTimestamp: UInt8 = 55
    public static let messageAuthenticator: UInt8 = 80
    public static let acctInterimInterval: UInt8 = 85
    public static let errorCause: UInt8 = 101
}

/// 3GPP vendor-specific attributes (vendor 10415, 3GPP TS 29.061).
public enum ThreeGPPAttribute {
    public static let vendorID: UInt32 = 10_415
    public static let imsi: UInt8 = 1
    public static let sgsnMCCMNC: UInt8 = 18
    public static let imeisv: UInt8 = 20
    public static let ratType: UInt8 = 21
    public static let userLocationInfo: UInt8 = 22
}

/// Values of Acct-Status-Type (RFC 2866).
public enum AccountingStatusType: UInt32, Sendable {
    case start = 1
    case stop = 2
    case interimUpdate = 3
    case accountingOn = 7
    case accountingOff = 8
}
