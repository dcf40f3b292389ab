import SimGateCore
import SimGateRADIUS
import SimGateStore

/// What an Accounting-Request says, read from its attributes.
struct AccountingReport: Sendable {
    let status: AccountingStatusType?
    /// The gateway the session belongs to: NAS-IP-Address, else NAS-Identifier, else the client's name.
    let nas: String
    /// Where the gateway takes Disconnect-Requests: NAS-IP-Address, else the datagram's source.
    let clientAddress: String
    let sessionID: String?
    /// Cumulative totals for the session, gigawords included.
    let inputBytes: UInt64
    let outputBytes: UInt64
    /// From 3GPP-SGSN-MCC-MNC, else 3GPP-User-Location-Info.
    let network: ServingNetwork?
    let rat: String?
    let imei: IMEI?
    /// Ways to find the SIM, most reliable first.
    let simFilters: [SimFilter]

    init(_ packet: RADIUSPacket, client: RADIUSClient, sourceIP: String) {
        status = packet.attribute(RADIUSAttributeType.acctStatusType)?.integerValue.flatMap(AccountingStatusType.init(rawValue:))
        if let address = packet.attribute(RADIUSAttributeType.nasIPAddress)?.value, address.count == 4 {
            nas = address.map(String.init).joined(separator: ".")
            clientAddress = nas
        } else {
            nas = packet.attribute(RADIUSAttributeType.nasIdentifier)?.textValue ?? client.name
            clientAddress = sourceIP
        }
        sessionID = packet.attribute(RADIUSAttributeType.acctSessionID)?.textValue
        func total(_ octets: UInt8, _ gigawords: UInt8) -> UInt64 {
            SessionCounters.total(octets: packet.attribute(octets)?.integerValue ?? 0, gigawords: packet.attribute(gigawords)?.integerValue ?? 0)
        }
        inputBytes = total(RADIUSAttributeType.acctInputOctets, RADIUSAttributeType.acctInputGigawords)
        outputBytes = total(RADIUSAttributeType.acctOutputOctets, RADIUSAttributeType.acctOutputGigawords)
        func threeGPP(_ type: UInt8) -> RADIUSAttribute? { packet.vendorAttribute(vendor: ThreeGPPAttribute.vendorID, type: type) }
        network = threeGPP(ThreeGPPAttribute.sgsnMCCMNC)?.textValue.flatMap { ServingNetwork(mccMNC: $0) }
            ?? threeGPP(ThreeGPPAttribute.userLocationInfo).flatMap { ServingNetwork(userLocationInfo: $0.value) }
        rat = threeGPP(ThreeGPPAttribute.ratType).flatMap { $0.value.count == 1 ? RadioAccessTechnology.name(forRATType: $0.value[0]) : nil }
        imei = threeGPP(ThreeGPPAttribute.imeisv)?.textValue.flatMap { try? IMEI(fromNetwork: $0) }
        simFilters = RADIUSSimLookup.filters(for: packet)
    }

    var sessionKey: SessionKey? { sessionID.map { SessionKey(nas: nas, sessionID: $0) } }

    /// The IMSI the SIM is named by, when it is named by one (the usual case).
    var imsi: IMSI? { simFilters.lazy.compactMap(\.imsi).first }
}
