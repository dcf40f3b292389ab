/// An Accounting-Request as a 3GPP packet gateway sends one: session, subscriber (User-Name
/// and 3GPP-IMSI), serving network, device, radio type, and cumulative octets with their
/// gigawords. The simulator, the benchmark and the tests all play the gateway's part with it.
public struct GatewayAccountingRequest: Sendable {
    /// How the gateway names itself: NAS-IP-Address or NAS-Identifier.
    public enum NAS: Sendable {
        /// NAS-IP-Address: the gateway's IPv4 address as four octets (RFC 2865 section 5.4).
        case address([UInt8])
        /// NAS-Identifier: the gateway's name, such as `simgate-simulator` (RFC 2865 section 5.32).
        case name(String)
    }

    /// Acct-Status-Type: what this request reports (Start, Interim-Update, Stop, ...).
    public var status: AccountingStatusType
    /// How the gateway names itself in the packet.
    public var nas: NAS
    /// Acct-Session-Id: the gateway's id for the data session, the same in all its reports.
    public var sessionID: String
    /// The subscriber's IMSI, sent as 3GPP-IMSI and, unless `userName` is set, as User-Name.
    public var imsi: String
    /// 3GPP-SGSN-MCC-MNC, such as `26201`.
    public var mccMNC: String?
    /// 3GPP-IMEISV: 14 digits of IMEI and a 2-digit software version.
    public var imeisv: String?
    /// 3GPP-RAT-Type (6 is EUTRAN).
    public var ratType: UInt8?
    /// Totals since the session began, in bytes.
    public var inputBytes: UInt64
    /// Bytes sent to the device since the session began; `inputBytes` counts those from it.
    public var outputBytes: UInt64
    /// User-Name, when it is not the IMSI (an APN user name, say).
    public var userName: String?
    /// Framed-IP-Address: the IPv4 address the gateway gave the device.
    public var framedIPAddress: [UInt8]?
    /// Event-Timestamp, in Unix seconds.
    public var eventTimestamp: UInt32?
    /// Acct-Session-Time, in seconds.
    public var sessionTime: UInt32?
    /// Acct-Delay-Time: how many seconds the gateway has held this report, in seconds.
    public var delayTime: UInt32?

    /// The fields every report has; set `userName`, `framedIPAddress`, `eventTimestamp`,
    /// `sessionTime` and `delayTime` afterwards when the request should carry them.
    public init(
        _ status: AccountingStatusType, nas: NAS, sessionID: String, imsi: String, mccMNC: String? = nil, imeisv: String? = nil,
        ratType: UInt8? = nil, inputBytes: UInt64 = 0, outputBytes: UInt64 = 0
    ) {
        self.status = status
        self.nas = nas
        self.sessionID = sessionID
        self.imsi = imsi
        self.mccMNC = mccMNC
        self.imeisv = imeisv
        self.ratType = ratType
        self.inputBytes = inputBytes
        self.outputBytes = outputBytes
    }

    /// The packet with its Request Authenticator, ready to send.
    public func signed(identifier: UInt8, secret: [UInt8]) -> RADIUSPacket {
        func threeGPP(_ type: UInt8, _ value: [UInt8]) -> RADIUSAttribute {
            .vendorSpecific(vendor: ThreeGPPAttribute.vendorID, type: type, value: value)
        }
        var attributes: [RADIUSAttribute] = [.integer(RADIUSAttributeType.acctStatusType, status.rawValue)]
        switch nas {
        case .address(let octets): attributes.append(RADIUSAttribute(type: RADIUSAttributeType.nasIPAddress, value: octets))
        case .name(let name): attributes.append(.text(RADIUSAttributeType.nasIdentifier, name))
        }
        attributes += [
            .text(RADIUSAttributeType.acctSessionID, sessionID),
            .text(RADIUSAttributeType.userName, userName ?? imsi),
            threeGPP(ThreeGPPAttribute.imsi, Array(imsi.utf8)),
        ]
        if let mccMNC { attributes.append(threeGPP(ThreeGPPAttribute.sgsnMCCMNC, Array(mccMNC.utf8))) }
        if let imeisv { attributes.append(threeGPP(ThreeGPPAttribute.imeisv, Array(imeisv.utf8))) }
        if let ratType { attributes.append(threeGPP(ThreeGPPAttribute.ratType, [ratType])) }
        attributes += [
            .integer(RADIUSAttributeType.acctInputOctets, UInt32(truncatingIfNeeded: inputBytes)),
            .integer(RADIUSAttributeType.acctInputGigawords, UInt32(truncatingIfNeeded: inputBytes >> 32)),
            .integer(RADIUSAttributeType.acctOutputOctets, UInt32(truncatingIfNeeded: outputBytes)),
            .integer(RADIUSAttributeType.acctOutputGigawords, UInt32(truncatingIfNeeded: outputBytes >> 32)),
        ]
        if let framedIPAddress { attributes.append(RADIUSAttribute(type: RADIUSAttributeType.framedIPAddress, value: framedIPAddress)) }
        if let eventTimestamp { attributes.append(.integer(RADIUSAttributeType.eventTimestamp, eventTimestamp)) }
        if let sessionTime { attributes.append(.integer(RADIUSAttributeType.acctSessionTime, sessionTime)) }
        if let delayTime { attributes.append(.integer(RADIUSAttributeType.acctDelayTime, delayTime)) }
        let packet = RADIUSPacket(code: .accountingRequest, identifier: identifier, authenticator: [UInt8](repeating: 0, count: 16), attributes: attributes)
        return RADIUSAuthenticators.signRequest(packet, secret: secret)
    }
}
