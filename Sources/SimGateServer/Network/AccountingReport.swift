import SimGateCore
import SimGateRADIUS
import SimGateStore

/// What an Accounting-Request says, read from its attributes.
struct AccountingReport: Sendable {
    let status: AccountingStatusType?
    /// The gateway the session belongs to: NAS-IP-Address, else NAS-Identifier, else the client's name.
    let nas: String
    let clientAddress: String
    let sessionID: String?
    /// Cumulative totals for the session, gigawords included.
    let inputBytes: UInt64
    let outputBytes: UInt64
    let mccMNC: String?
    let imei: IMEI?
    /// Ways to find the SIM, most reliable first.
    let simFilters: [SimFilter]

    init(_ packet: RADIUSPacket, client: RADIUSClient) {
        status = packet.attribute(RADIUSAttributeType.acctStatusType)?.integerValue.flatMap(AccountingStatusType.init(rawValue:))
        if let address = packet.attribute(RADIUSAttributeType.nasIPAddress)?.value, address.count == 4 {
            nas = address.map(String.init).joined(separator: ".")
        } else {
            nas = packet.attribute(RADIUSAttributeType.nasIdentifier)?.textValue ?? client.name
        }
        clientAddress = client.address
        sessionID = packet.attribute(RADIUSAttributeType.acctSessionID)?.textValue
        func total(_ octets: UInt8, _ gigawords: UInt8) -> UInt64 {
            SessionCounters.total(octets: packet.attribute(octets)?.integerValue ?? 0, gigawords: packet.attribute(gigawords)?.integerValue ?? 0)
        }
        inputBytes = total(RADIUSAttributeType.acctInputOctets, RADIUSAttributeType.acctInputGigawords)
        outputBytes = total(RADIUSAttributeType.acctOutputOctets, RADIUSAttributeType.acctOutputGigawords)
        mccMNC = packet.vendorAttribute(vendor: ThreeGPPAttribute.vendorID, type: ThreeGPPAttribute.sgsnMCCMNC)?.textValue
        imei = packet.vendorAttribute(vendor: ThreeGPPAttribute.vendorID, type: ThreeGPPAttribute.imeisv)?.textValue
            .flatMap { try? IMEI(fromNetwork: $0) }
        simFilters = RADIUSSimLookup.filters(for: packet)
    }
}
