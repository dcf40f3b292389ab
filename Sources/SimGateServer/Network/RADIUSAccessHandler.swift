import Foundation
import SimGateCore
import SimGateRADIUS
import SimGateStore

/// Answers Access-Requests from the packet gateway: Access-Accept exactly for a LIVE SIM,
/// otherwise Access-Reject with a Reply-Message saying why (unknown SIM, status, holds).
struct RADIUSAccessHandler: RADIUSRequestHandler {
    /// Where SIMs and their accounts are read.
    let store: Store
    /// The connection Access-Requests read on, in place on the authentication port's thread.
    let reader: ReservedReader
    /// Acct-Interim-Interval in seconds for SIMs whose account sets none.
    let interimInterval: UInt32
    /// Opens once migrations are done; requests that come earlier wait for it.
    let startup: StartupSignal

    /// Access-Accept or Access-Reject for an Access-Request; no answer (nil) for any other code,
    /// or when the SIM could not be read.
    func respond(to request: RADIUSPacket, from client: RADIUSClient, sourceIP: String) async -> RADIUSPacket? {
        guard request.code == .accessRequest else { return nil }
        // SimGate speaks no EAP. RFC 3579 (section 2.6.2) has a server without EAP answer an
        // EAP-Message with Access-Reject: accepted, the peer's EAP conversation was taken for
        // a success no method had given.
        if request.attribute(RADIUSAttributeType.eapMessage) != nil {
            return RADIUSPacket(
                code: .accessReject, identifier: request.identifier, authenticator: [],
                attributes: [.text(RADIUSAttributeType.replyMessage, "EAP is not supported")]
            )
        }
        await startup.wait()
        guard startup.isOpen else { return nil }  // Shutting down before start-up finished.
        let sim: SimGateRow?
        do {
            sim = try await find(request)
        } catch {
            // No answer rather than a wrong one: the gateway retries or fails over.
            return nil
        }
        let interval = sim?.interimInterval.flatMap(UInt32.init(exactly:)) ?? interimInterval
        let decision = Self.decide(sim)
        var attributes: [RADIUSAttribute] = [.text(RADIUSAttributeType.replyMessage, decision.message)]
        if decision.accept { attributes.append(.integer(RADIUSAttributeType.acctInterimInterval, interval)) }
        return RADIUSPacket(code: decision.accept ? .accessAccept : .accessReject, identifier: request.identifier, authenticator: [], attributes: attributes)
    }

    /// Accept only a LIVE SIM; say why otherwise.
    static func decide(_ sim: SimGateRow?) -> (accept: Bool, message: String) {
        guard let sim else { return (false, "unknown SIM") }
        switch sim.status {
        case .live: return (true, "SIM is LIVE")
        case .offline: return (false, "SIM is OFFLINE: hold " + sim.holdCauses.map(\.description).joined(separator: ", "))
        default: return (false, "SIM is \(sim.status.rawValue)")
        }
    }

    /// The SIM by 3GPP-IMSI, else by User-Name read as IMSI, MSISDN or ICCID, with its
    /// account's interim interval, in one read.
    private func find(_ request: RADIUSPacket) async throws -> SimGateRow? {
        let filters = RADIUSSimLookup.filters(for: request)
        guard !filters.isEmpty else { return nil }
        return try await store.read(on: reader) { tx in
            for filter in filters {
                if let sim = try await tx.sims.gateRow(filter) { return sim }
            }
            return nil
        }
    }
}
