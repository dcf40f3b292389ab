/// Attribute type numbers SimGate reads or writes (RFC 2865, 2866, 2869, 3579, 5176).
public enum RADIUSAttributeType {
    /// User-Name: here the device's IMSI, or an APN user name (RFC 2865 section 5.1).
    public static let userName: UInt8 = 1
    /// User-Password, hidden with the shared secret (RFC 2865 section 5.2).
    public static let userPassword: UInt8 = 2
    /// NAS-IP-Address: the gateway's IPv4 address, four octets (RFC 2865 section 5.4).
    public static let nasIPAddress: UInt8 = 4
    /// NAS-Port: the gateway's port number for the session (RFC 2865 section 5.5).
    public static let nasPort: UInt8 = 5
    /// Service-Type: the kind of service asked for or granted (RFC 2865 section 5.6).
    public static let serviceType: UInt8 = 6
    /// Framed-IP-Address: the IPv4 address the device was given (RFC 2865 section 5.8).
    public static let framedIPAddress: UInt8 = 8
    /// Reply-Message: text for the user, here why SimGate accepted or rejected (RFC 2865 section 5.18).
    public static let replyMessage: UInt8 = 18
    /// State: opaque server state a client sends back unchanged (RFC 2865 section 5.24).
    public static let state: UInt8 = 24
    /// Class: opaque server data the gateway copies into accounting (RFC 2865 section 5.25).
    public static let `class`: UInt8 = 25
    /// Vendor-Specific: a vendor id and its own sub-attributes (RFC 2865 section 5.26).
    public static let vendorSpecific: UInt8 = 26
    /// Session-Timeout: most seconds the session may last (RFC 2865 section 5.27).
    public static let sessionTimeout: UInt8 = 27
    /// Called-Station-Id: the number or APN the device connected to (RFC 2865 section 5.30).
    public static let calledStationID: UInt8 = 30
    /// Calling-Station-Id: the device's own number, such as its MSISDN (RFC 2865 section 5.31).
    public static let callingStationID: UInt8 = 31
    /// NAS-Identifier: the gateway's name, an alternative to NAS-IP-Address (RFC 2865 section 5.32).
    public static let nasIdentifier: UInt8 = 32
    /// Opaque to the server; a proxy's own state, echoed in the reply (RFC 2865 section 5.33).
    public static let proxyState: UInt8 = 33
    /// Acct-Status-Type: Start, Stop, Interim-Update, ... (RFC 2866 section 5.1).
    public static let acctStatusType: UInt8 = 40
    /// Acct-Input-Octets: bytes from the device, modulo 2^32 (RFC 2866 section 5.3).
    public static let acctInputOctets: UInt8 = 42
    /// Acct-Output-Octets: bytes to the device, modulo 2^32 (RFC 2866 section 5.4).
    public static let acctOutputOctets: UInt8 = 43
    /// Acct-Session-Id: ties a session's Start, updates and Stop together (RFC 2866 section 5.5).
    public static let acctSessionID: UInt8 = 44
    /// Acct-Delay-Time: seconds the gateway has been trying to send this request (RFC 2866
    /// section 5.2).
    public static let acctDelayTime: UInt8 = 41
    /// Acct-Session-Time: seconds the session has lasted (RFC 2866 section 5.7).
    public static let acctSessionTime: UInt8 = 46
    /// Acct-Input-Gigawords: times Acct-Input-Octets wrapped past 2^32 (RFC 2869 section 5.1).
    public static let acctInputGigawords: UInt8 = 52
    /// Acct-Output-Gigawords: times Acct-Output-Octets wrapped past 2^32 (RFC 2869 section 5.2).
    public static let acctOutputGigawords: UInt8 = 53
    /// Event-Timestamp: when the event happened, in Unix seconds (RFC 2869 section 5.3).
    public static let eventTimestamp: UInt8 = 55
    /// EAP-Message: an EAP packet carried in RADIUS (RFC 3579 section 3.1).
    public static let eapMessage: UInt8 = 79
    /// Message-Authenticator: HMAC-MD5 over the whole packet (RFC 3579 section 3.2).
    public static let messageAuthenticator: UInt8 = 80
    /// Acct-Interim-Interval: seconds between Interim-Updates, sent in Access-Accept (RFC 2869).
    public static let acctInterimInterval: UInt8 = 85
    /// Error-Cause: why a Disconnect- or CoA-Request failed, in a NAK (RFC 5176 section 3.5).
    public static let errorCause: UInt8 = 101
}

/// 3GPP vendor-specific attributes (vendor 10415, 3GPP TS 29.061).
public enum ThreeGPPAttribute {
    /// 3GPP's IANA enterprise number: the Vendor-Id of its Vendor-Specific attributes.
    public static let vendorID: UInt32 = 10_415
    /// 3GPP-IMSI: the subscriber's IMSI as digits.
    public static let imsi: UInt8 = 1
    /// 3GPP-SGSN-MCC-MNC: the serving network's MCC and MNC as digits (`26201`).
    public static let sgsnMCCMNC: UInt8 = 18
    /// 3GPP-IMEISV: the device's IMEI and software version, 16 digits.
    public static let imeisv: UInt8 = 20
    /// 3GPP-RAT-Type: one octet naming the radio access technology (6 is EUTRAN).
    public static let ratType: UInt8 = 21
    /// 3GPP-User-Location-Info: binary cell location; a fallback source of the serving network.
    public static let userLocationInfo: UInt8 = 22
}

/// Values of Acct-Status-Type (RFC 2866).
public enum AccountingStatusType: UInt32, Sendable {
    /// Start: a session began.
    case start = 1
    /// Stop: a session ended; carries its final totals.
    case stop = 2
    /// Interim-Update: a running session's totals so far.
    case interimUpdate = 3
    /// Accounting-On: the gateway (re)started, so every session it had is gone.
    case accountingOn = 7
    /// Accounting-Off: the gateway is shutting down, so every session it had ends.
    case accountingOff = 8
}
