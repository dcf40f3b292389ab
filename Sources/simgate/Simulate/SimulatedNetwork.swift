import Foundation
import SimGateRADIUS

/// The packet gateway the simulated devices sit behind: it signs their requests and sends
/// them to SimGate, retrying on silence as a gateway does.
struct SimulatedNetwork: Sendable {
    /// SimGate's RADIUS address.
    let host: String
    /// SimGate's port for Access-Requests.
    let authPort: Int
    /// SimGate's port for Accounting-Requests.
    let acctPort: Int
    /// The shared secret of the gateway and SimGate, as octets.
    let secret: [UInt8]
    /// NAS-Identifier of the simulated gateway.
    let nas: String

    /// Serving networks the devices roam between: MCC-MNC of a real operator in each country.
    static let networks = ["26201", "20801", "22210", "21407", "23415", "20404", "24001", "23201"]

    /// Access-Accept (with its interim interval) or Access-Reject (with its Reply-Message); `nil` on silence.
    func askAccess(imsi: String) async throws -> RADIUSPacket? {
        let request = RADIUSAuthenticators.signRequest(RADIUSPacket(
            code: .accessRequest, identifier: UInt8.random(in: 0...255), authenticator: (0..<16).map { _ in UInt8.random(in: 0...255) },
            attributes: [
                .text(RADIUSAttributeType.userName, imsi),
                .text(RADIUSAttributeType.nasIdentifier, nas),
                .vendorSpecific(vendor: ThreeGPPAttribute.vendorID, type: ThreeGPPAttribute.imsi, value: Array(imsi.utf8)),
            ]
        ), secret: secret)
        return try await RADIUSRequester.exchange(request, secret: secret, host: host, port: authPort, timeout: .seconds(1), attempts: 3)
    }

    /// Whether the Accounting-Request was answered (and so is stored).
    func account(
        _ status: AccountingStatusType, session: String, imsi: String, imeisv: String, mccMNC: String, up: UInt64, down: UInt64
    ) async throws -> Bool {
        let request = GatewayAccountingRequest(
            status, nas: .name(nas), sessionID: session, imsi: imsi, mccMNC: mccMNC, imeisv: imeisv, ratType: 6, inputBytes: up, outputBytes: down
        ).signed(identifier: UInt8.random(in: 0...255), secret: secret)
        return try await RADIUSRequester.exchange(request, secret: secret, host: host, port: acctPort, timeout: .seconds(1), attempts: 3) != nil
    }
}
