import SimGateCore
import SimGateRADIUS
import SimGateStore
import SQLKit

/// How a RADIUS request names its SIM: 3GPP-IMSI (vendor 10415) first, then User-Name read
/// as an IMSI, an MSISDN or an ICCID.
enum RADIUSSimLookup {
    static func filters(for packet: RADIUSPacket) -> [SimFilter] {
        var filters: [SimFilter] = []
        if let text = packet.vendorAttribute(vendor: ThreeGPPAttribute.vendorID, type: ThreeGPPAttribute.imsi)?.textValue,
           let imsi = try? IMSI(text) {
            filters.append(SimFilter(imsi: imsi))
        }
        if let name = packet.attribute(RADIUSAttributeType.userName)?.textValue {
            if let imsi = try? IMSI(name) { filters.append(SimFilter(imsi: imsi)) }
            if let msisdn = try? MSISDN(name) { filters.append(SimFilter(msisdn: msisdn)) }
            if let iccid = try? ICCID(name) { filters.append(SimFilter(iccid: iccid)) }
        }
        return filters
    }

    /// The first SIM that one of `filters` finds, in order.
    static func first(matching filters: [SimFilter], on db: any SQLDatabase) async throws -> Sim? {
        for filter in filters {
            if let sim = try await SimStore().list(filter, PageRequest(limit: 1), on: db).items.first { return sim }
        }
        return nil
    }
}
