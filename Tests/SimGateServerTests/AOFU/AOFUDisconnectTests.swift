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

    @Test("a silent gateway fails only its own SIMs of a batch: each is asked again with backoff, three times in all, and then left", arguments: TestEngine.available)
    func silentGatewayInABatch(engine: TestEngine) async throws {
        try await RADIUSDisconnectTests.withGateway(engine, timeout: .milliseconds(50)) { app, gateway, _ in
            gateway.answer(.silence)
            _ = try await app.request(.post, "/v1/tariffs", key: app.operatorKey, json: ["number": 24, "name": "AOFU", "kind": "aofu", "accounts": [app.fleetAccount]])
            let sims = try await app.importSims(2..<4)
            for sim in sims {
                _ = try await app.request(.post, "/v1/sims/\(sim)/provision", key: app.operatorKey, json: ["tariff": 24, "shutdown_threshold_hours": 1, "bundle_size_mb": 10])
            }
            try await RADIUSAccountingTests.send(app, [
                RADIUSAccountingTests.accounting(.start, session: "s-2", imsi: Fixtures.imsi(2), input: 100, output: 0, identifier: 1),
                RADIUSAccountingTests.accounting(.start, session: "s-3", imsi: Fixtures.imsi(3), input: 100, output: 0, identifier: 2),
            ])
            app.clock.advance(by: 3_600)
            try await app.settle()
            // Three sends per session (the retransmissions of one try), both sessions, once.
            #expect(gateway.received.count == 6)
            // Nothing is due again before the backoff, and nothing was resent one by one.
            try await app.settle()
            #expect(gateway.received.count == 6)
            app.clock.advance(by: 10)
            try await app.settle()
            #expect(gateway.received.count == 12)
            app.clock.advance(by: 20)
            try await app.settle()
            #expect(gateway.received.count == 18)
            app.clock.advance(by: 3_600)
            try await app.settle()
            #expect(gateway.received.count == 18, "three tries in all, then the SIMs are left")
            let sessions = try await app.request(.get, "/v1/sims/\(sims[0])/sessions", key: app.operatorKey).items
            #expect((sessions.first?["disconnect"] as? [String: Any])?["outcome"] as? String == "no_answer")
        }
    }
}
