import Foundation
import SimGateTestSupport
import Testing

/// Defects a review of the AOFU and Cellhire code found, each through the front door.
@Suite("AOFU and Cellhire review regressions")
struct AOFUReviewRegressionTests {
    @Test("an AOFU SIM past its shutdown cannot be activated back to LIVE; provisioning it again starts afresh", arguments: TestEngine.available)
    func expiredIsNotReactivated(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await AOFULifecycleTests.provisionedSim(app, hours: 1)
            try await AOFULifecycleTests.report(app, .start, input: 10, identifier: 1)
            app.clock.advance(by: 3_600)
            try await app.settle()
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)["status"] == "UNPROVISIONED")
            let activate = try await app.request(.post, "/v1/sims/\(sim)/activate", key: app.operatorKey)
            #expect(activate.status == 409)
            #expect(activate.code == "aofu_expired")
            let again = try await app.request(.post, "/v1/sims/\(sim)/provision", key: app.operatorKey, json: ["tariff": 24, "shutdown_threshold_hours": 2, "bundle_size_mb": 1])
            #expect(again["status"] == "LIVE")
            #expect(again.json["first_use_at"] is NSNull)
            #expect(again.json["shutdown_at"] is NSNull)
        }
    }

    @Test("a SIM handed to another customer carries none of the first one's tariff, threshold or bundle", arguments: TestEngine.available)
    func bundleDoesNotFollowTheSim(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await AOFULifecycleTests.provisionedSim(app, megabytes: 1)
            try await AOFULifecycleTests.report(app, .start, input: 5_000, identifier: 1)
            _ = try await app.request(.post, "/v1/sims/\(sim)/unprovision", key: app.operatorKey)
            let (other, otherKey) = try await app.makeCustomer("Next owner")
            let assigned = try await app.request(.post, "/v1/sims/\(sim)/assign", key: app.operatorKey, json: ["account": other])
            #expect(assigned.status == 200, "\(assigned.text)")
            let seen = try await app.request(.get, "/v1/sims/\(sim)", key: otherKey)
            #expect(seen.json["bundle"] is NSNull)
            #expect(seen.json["tariff_number"] is NSNull)
            #expect(seen.json["shutdown_threshold_hours"] is NSNull)
            let history = try await app.request(.get, "/v1/sims/\(sim)/bundle", key: otherKey)
            #expect(history.json["current"] is NSNull)
            #expect((history.json["changes"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("a serial number two SIMs of the company share is refused as ambiguous, naming the field; nothing changes", arguments: TestEngine.available)
    func ambiguousSerialNumber(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("ERP Ltd")
            let first = try await app.cellhireStock(account: account)
            _ = try await app.request(.post, "/v1/sims/import", key: app.operatorKey, json: [
                "account": account, "sims": [["iccid": Fixtures.iccid(5), "imsi": Fixtures.imsi(5), "serial_number": "987654321"]],
            ])
            let client = try await CellhireClient.make(app, key: key)
            let reply = try await client.send(.post, "/api/simSubmission/Provision", #"{"stock": [{"serialNumber": "987654321"}], "tariffNumber": 1, "provisioningOrderNumber": 1}"#)
            #expect(reply.status == 400)
            #expect(reply.code == "ambiguous_serial_number")
            #expect(reply.param == "stock[0].serialNumber")
            #expect(try await app.request(.get, "/v1/sims/\(first)", key: key)["status"] == "INVENTORY")
        }
    }

    @Test("a tariff offered only to another company looks exactly like one that does not exist", arguments: TestEngine.available)
    func tariffsOfOthersAreInvisible(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("ERP Ltd")
            let sim = try await app.cellhireStock(account: account)
            let (rival, _) = try await app.makeCustomer("Rival")
            _ = try await app.request(.post, "/v1/tariffs", key: app.operatorKey, json: ["number": 77, "name": "Rival only", "kind": "standard", "accounts": [rival]])
            let offeredToOther = try await app.request(.post, "/v1/sims/\(sim)/provision", key: key, json: ["tariff": 77])
            let missing = try await app.request(.post, "/v1/sims/\(sim)/provision", key: key, json: ["tariff": 78])
            #expect(offeredToOther.status == 404)
            #expect(offeredToOther.status == missing.status && offeredToOther.code == missing.code && offeredToOther.param == missing.param)
            let client = try await CellhireClient.make(app, key: key)
            let viaCellhire = try await client.send(.post, "/api/simSubmission/Provision", #"{"stock": [{"serialNumber": "987654321"}], "tariffNumber": 77, "provisioningOrderNumber": 1}"#)
            #expect(viaCellhire.status == 400)
            #expect(viaCellhire.code == "unknown_tariff")
        }
    }

    @Test("within one batch of records the earliest fixes first use, whatever their order in the request", arguments: TestEngine.available)
    func earliestRecordFixesFirstUse(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try #require(try await app.importSims(0..<1).first)
            let earlier = app.clock.now().addingTimeInterval(-7_200), later = app.clock.now().addingTimeInterval(-3_600)
            func record(_ id: String, _ at: Date) -> [String: Any] {
                ["id": id, "sim": sim, "started_at": RFC3339Text.format(at), "ended_at": RFC3339Text.format(at.addingTimeInterval(60)), "bytes_up": 1, "bytes_down": 1]
            }
            let reply = try await app.request(.post, "/v1/usage_records", key: app.operatorKey, json: ["records": [record("late", later), record("early", earlier)]])
            #expect(reply.json["accepted"] as? Int == 2)
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)["first_use_at"] == RFC3339Text.format(earlier))
        }
    }
}
