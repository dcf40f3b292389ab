import Foundation
import SimGateRADIUS
import SimGateServer
import SimGateTestSupport
import Testing

@Suite("AOFU shutdowns end open data sessions")
struct AOFUDisconnectTests {
    @Test("SIMs shut down together each get a Disconnect-Request for their open session, and a SIM without one sends none", arguments: TestEngine.available)
    func shutdownDisconnects(engine: TestEngine) async throws {
        try await RADIUSDisconnectTests.withGateway(engine) { app, gateway, _ in
            _ = try await app.request(.post, "/v1/tariffs", key: app.operatorKey, json: ["number": 24, "name": "AOFU", "kind": "aofu", "accounts": [app.fleetAccount]])
            let sims = try await app.importSims(2..<5)
            for sim in sims {
                let reply = try await app.request(.post, "/v1/sims/\(sim)/provision", key: app.operatorKey, json: ["tariff": 24, "shutdown_threshold_hours": 1, "bundle_size_mb": 10])
                try #require(reply.status == 200, "\(reply.text)")
            }
            // SIMs 2 and 3 use data in a session that stays open; SIM 4 uses data in one it closes.
            try await RADIUSAccountingTests.send(app, [
                RADIUSAccountingTests.accounting(.start, session: "s-2", imsi: Fixtures.imsi(2), input: 100, output: 0, identifier: 1),
                RADIUSAccountingTests.accounting(.start, session: "s-3", imsi: Fixtures.imsi(3), input: 100, output: 0, identifier: 2),
                RADIUSAccountingTests.accounting(.start, session: "s-4", imsi: Fixtures.imsi(4), input: 100, output: 0, identifier: 3),
                RADIUSAccountingTests.accounting(.stop, session: "s-4", imsi: Fixtures.imsi(4), input: 200, output: 0, identifier: 4),
            ])
            app.clock.advance(by: 3_600)
            try await app.settle()
            for sim in sims {
                #expect(try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)["status"] == "UNPROVISIONED")
            }
            try await app.settle()
            let disconnected = Set(gateway.received.compactMap { $0.attribute(RADIUSAttributeType.acctSessionID)?.textValue })
            #expect(disconnected == ["s-2", "s-3"])
            #expect(gateway.received.count == 2)
            #expect(try await app.request(.get, "/v1/events?type=sim.session_disconnected", key: app.operatorKey).items.count == 2)
        }
    }
}
