import Foundation
import SimGateRADIUS
import SimGateTestSupport
import Testing

@Suite("The network gate: RADIUS Access-Request against SIM status")
struct RADIUSAccessTests {
    /// An Access-Request as a packet gateway sends it: 3GPP-IMSI (or only a User-Name) and a Message-Authenticator.
    static func accessRequest(imsi: String?, userName: String, identifier: UInt8) -> RADIUSPacket {
        let secret = Array(TestHarness.radiusSecret.utf8)
        let authenticator = (0..<16).map { _ in UInt8.random(in: 0...255) }
        var attributes: [RADIUSAttribute] = [.text(RADIUSAttributeType.userName, userName)]
        if let imsi { attributes.append(.vendorSpecific(vendor: ThreeGPPAttribute.vendorID, type: ThreeGPPAttribute.imsi, value: Array(imsi.utf8))) }
        return RADIUSAuthenticators.signRequest(
            RADIUSPacket(code: .accessRequest, identifier: identifier, authenticator: authenticator, attributes: attributes), secret: secret
        )
    }

    /// Sends one request over UDP and reads the decision and its Reply-Message.
    static func ask(_ app: TestHarness, _ request: RADIUSPacket) async throws -> (RADIUSCode, String?) {
        let replies = try await RADIUSUDPTestClient(serverPort: app.radiusPort).exchange([request.encoded()], wait: .seconds(5), expecting: 1)
        let reply = try RADIUSPacket(decoding: try #require(replies.first))
        #expect(RADIUSAuthenticators.hasValidMessageAuthenticator(reply, authenticator: request.authenticator, secret: Array(TestHarness.radiusSecret.utf8)))
        return (reply.code, reply.attribute(RADIUSAttributeType.replyMessage)?.textValue)
    }

    @Test("only a LIVE SIM is accepted; the reject says why", arguments: TestEngine.available)
    func gate(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try #require(try await app.importSims(0..<1).first)
            var identifier: UInt8 = 0
            func ask(imsi: String?, userName: String) async throws -> (RADIUSCode, String?) {
                identifier &+= 1
                return try await Self.ask(app, Self.accessRequest(imsi: imsi, userName: userName, identifier: identifier))
            }
            #expect(try await ask(imsi: Fixtures.imsi(0), userName: "pgw") == (.accessReject, "SIM is INVENTORY"))
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: app.operatorKey)
            #expect(try await ask(imsi: Fixtures.imsi(0), userName: "pgw") == (.accessAccept, "SIM is LIVE"))
            // Without 3GPP-IMSI the User-Name is tried as IMSI, MSISDN and ICCID.
            #expect(try await ask(imsi: nil, userName: Fixtures.msisdn(0)).0 == .accessAccept)
            #expect(try await ask(imsi: nil, userName: Fixtures.iccid(0)).0 == .accessAccept)
            _ = try await app.request(.post, "/v1/sims/\(sim)/suspend", key: app.operatorKey, json: ["reason": "stolen"])
            #expect(try await ask(imsi: Fixtures.imsi(0), userName: "pgw") == (.accessReject, "SIM is OFFLINE: hold operator"))
            #expect(try await ask(imsi: Fixtures.imsi(99), userName: "pgw") == (.accessReject, "unknown SIM"))
            // A SIM held by its customer and by the operator: the reject names both, in order.
            let (account, key) = try await app.makeCustomer("Held Twice")
            let held = try #require(try await app.importSims(1..<2, account: account).first)
            _ = try await app.request(.post, "/v1/sims/\(held)/activate", key: key)
            #expect(try await ask(imsi: Fixtures.imsi(1), userName: "pgw") == (.accessAccept, "SIM is LIVE"))
            _ = try await app.request(.post, "/v1/sims/\(held)/suspend", key: app.operatorKey, json: ["reason": "fraud check"])
            _ = try await app.request(.post, "/v1/sims/\(held)/suspend", key: key, json: ["reason": "customer asked"])
            #expect(try await ask(imsi: Fixtures.imsi(1), userName: "pgw") == (.accessReject, "SIM is OFFLINE: hold manual, operator"))
        }
    }
}
