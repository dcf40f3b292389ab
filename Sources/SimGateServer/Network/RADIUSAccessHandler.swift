import Foundation
import SimGateCore
import SimGateRADIUS
import SimGateStore

/// Answers Access-Requests from the packet gateway: Access-Accept exactly for a LIVE SIM,
/// otherwise Access-Reject with a Reply-Message saying why (unknown SIM, status, holds).
struct RADIUSAccessHandler: RADIUSRequestHandler {
    let database: SimGateDatabase
    let interimInterval: UInt32
    /// Opens once migrations are done; requests that come earlier wait for it.
    let startup: StartupSignal

    func respond(to request: RADIUSPacket, from client: RADIUSClient) async -> RADIUSPacket? {
        guard request.code == .accessRequest else { return nil }
        await startup.wait()
        let sim: Sim?
        do {
            sim = try await find(request)
        } catch {
            // No answer rather than a wrong one: the gateway retries or fails over.
            return nil
        }
        let decision = Self.decide(sim)
        var attributes: [RADIUSAttribute] = [.text(RADIUSAttributeType.replyMessage, decision.message)]
        if decision.accept { attributes.append(.integer(RADIUSAttributeType.acctInterimInterval, interimInterval)) }
        return RADIUSPacket(code: decision.accept ? .accessAccept : .accessReject, identifier: request.identifier, authenticator: [], attributes: attributes)
    }

    /// Accept only a LIVE SIM; say why otherwise.
    static func decide(_ sim: Sim?) -> (accept: Bool, message: String) {
        guard let sim else { return (false, "unknown SIM") }
        switch sim.status {
        case .live: return (true, "SIM is LIVE")
        case .offline: return (false, "SIM is OFFLINE: hold " + sim.state.holdCauses.map(\.description).joined(separator: ", "))
        default: return (false, "SIM is \(sim.status.rawValue)")
        }
    }

    /// The SIM by 3GPP-IMSI, else by User-Name read as IMSI, MSISDN or ICCID.
    private func find(_ request: RADIUSPacket) async throws -> Sim? {
        var filters: [SimFilter] = []
        if let text = request.vendorAttribute(vendor: ThreeGPPAttribute.vendorID, type: ThreeGPPAttribute.imsi)?.textValue,
           let imsi = try? IMSI(text) {
            filters.append(SimFilter(imsi: imsi))
        } else if let name = request.attribute(RADIUSAttributeType.userName)?.textValue {
            if let imsi = try? IMSI(name) { filters.append(SimFilter(imsi: imsi)) }
            if let msisdn = try? MSISDN(name) { filters.append(SimFilter(msisdn: msisdn)) }
            if let iccid = try? ICCID(name) { filters.append(SimFilter(iccid: iccid)) }
        }
        guard !filters.isEmpty else { return nil }
        return try await database.read { db in
            for filter in filters {
                if let sim = try await SimStore().list(filter, PageRequest(limit: 1), on: db).items.first { return sim }
            }
            return nil
        }
    }
}
