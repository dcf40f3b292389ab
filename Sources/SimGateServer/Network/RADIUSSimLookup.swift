import SimGateCore
import SimGateRADIUS
import SimGateStore

/// How a RADIUS request names its SIM: by 3GPP-IMSI (vendor 10415) when the request carries
/// one, and then by that alone; otherwise by User-Name read as an IMSI, an MSISDN or an ICCID.
enum RADIUSSimLookup {
    /// The filters that name the request's SIM, most reliable first; empty when it names none.
    static func filters(for packet: RADIUSPacket) -> [SimFilter] {
        let names = names(for: packet)
        return (names.imsi.map { [SimFilter(imsi: $0)] } ?? []) + names.others
    }

    /// How the request names its SIM: by an IMSI (3GPP-IMSI, else User-Name read as one), and
    /// by the other readings of User-Name (MSISDN, then ICCID), to try when no SIM has that
    /// IMSI. Both are empty when it names none. Accounting keeps these two apart: nearly every
    /// report names its SIM by 3GPP-IMSI alone, and then no list is made for it.
    static func names(for packet: RADIUSPacket) -> (imsi: IMSI?, others: [SimFilter]) {
        // The gateway vouches for the IMSI from the SIM's own authentication; User-Name is
        // whatever the device typed in its APN settings. A request with an IMSI that SimGate
        // does not know (or cannot read) names no SIM, whatever its User-Name says.
        if hasMalformedThreeGPPAttribute(packet) { return (nil, []) }
        // Two 3GPP-IMSIs that differ name no SIM: read first-wins, one naming a LIVE SIM ahead
        // of one naming an OFFLINE SIM was let in.
        switch packet.soleVendorAttribute(vendor: ThreeGPPAttribute.vendorID, type: ThreeGPPAttribute.imsi) {
        case .success(let attribute)?: return (attribute.textValue.flatMap { try? IMSI($0) }, [])
        case .failure?: return (nil, [])
        case nil: break
        }
        guard let name = packet.attribute(RADIUSAttributeType.userName)?.textValue else { return (nil, []) }
        var others: [SimFilter] = []
        if let msisdn = try? MSISDN(name) { others.append(SimFilter(msisdn: msisdn)) }
        if let iccid = try? ICCID(name) { others.append(SimFilter(iccid: iccid)) }
        return (try? IMSI(name), others)
    }

    /// A 3GPP Vendor-Specific attribute whose sub-attributes cannot be read might hold the
    /// IMSI: falling back to User-Name then would let the request name a SIM of its choosing.
    private static func hasMalformedThreeGPPAttribute(_ packet: RADIUSPacket) -> Bool {
        packet.attributes.contains { attribute in
            attribute.type == RADIUSAttributeType.vendorSpecific && attribute.valueStarts(with: threeGPPVendorOctets) && attribute.wellFormedVendorID == nil
        }
    }

    /// The 3GPP vendor id as the first four octets of a Vendor-Specific value.
    private static let threeGPPVendorOctets: [UInt8] = {
        let vendor = ThreeGPPAttribute.vendorID
        return [UInt8(vendor >> 24), UInt8(vendor >> 16 & 0xFF), UInt8(vendor >> 8 & 0xFF), UInt8(vendor & 0xFF)]
    }()

    /// The first SIM that one of `filters` finds, in order.
    static func first(matching filters: [SimFilter], in tx: StoreTransaction) async throws -> Sim? {
        for filter in filters {
            if let sim = try await tx.sims.list(filter, PageRequest(limit: 1)).items.first { return sim }
        }
        return nil
    }
}
