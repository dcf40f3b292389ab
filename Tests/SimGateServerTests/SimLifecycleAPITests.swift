import Foundation
import SimGateCore
import SimGateStore
import SimGateTestSupport
import Testing

@Suite("SIM lifecycle through the API")
struct SimLifecycleAPITests {
    @Test("a customer activates and suspends its SIM, and each change is an event with actor and reason", arguments: TestEngine.available)
    func activateSuspend(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)

            let live = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key, json: ["reason": "bike sold"])
            #expect(live.status == 200)
            #expect(live["status"] == "LIVE")
            app.clock.advance(by: 60)
            let offline = try await app.request(.post, "/v1/sims/\(sim)/suspend", key: key, json: ["reason": "reported stolen"])
            #expect(offline["status"] == "OFFLINE")
            let holds = try #require(offline.json["holds"] as? [[String: Any]])
            #expect(holds.map { $0["cause"] as? String } == ["manual"])
            let statusCause = try #require(offline.json["status_cause"] as? [String: Any])
            #expect(statusCause["reason"] as? String == "reported stolen")

            let history = try await app.request(.get, "/v1/sims/\(sim)/events?limit=100", key: key)
            let types = history.items.compactMap { $0["type"] as? String }
            #expect(types == ["sim.hold_placed", "sim.status_changed", "sim.status_changed", "sim.imported"])
            let latest = try #require(history.items.first)
            let cause = try #require(latest["cause"] as? [String: Any])
            #expect(cause["reason"] as? String == "reported stolen")
            #expect((cause["actor"] as? [String: Any])?["type"] as? String == "api_key")
            let statusEvent = history.items[1]
            let data = try #require(statusEvent["data"] as? [String: Any])
            #expect((data["previous_attributes"] as? [String: Any])?["status"] as? String == "LIVE")
            #expect((data["object"] as? [String: Any])?["status"] as? String == "OFFLINE")

            let back = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key, json: [:])
            #expect(back["status"] == "LIVE")
        }
    }

    @Test("activating over another cause's hold is a 409 listing the holds, unless forced", arguments: TestEngine.available)
    func holdsBlockActivation(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
            // A lapsed payment places its hold the way the payments feature will.
            try await app.placeHold(.payment, on: sim)
            _ = try await app.request(.post, "/v1/sims/\(sim)/suspend", key: key)

            let refused = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
            #expect(refused.status == 409)
            #expect(refused.code == "sim_has_holds")
            #expect(refused.json["holds"] as? [String] == ["payment"])
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: key)["status"] == "OFFLINE")

            let forced = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key, json: ["force": true, "reason": "goodwill"])
            #expect(forced["status"] == "LIVE")
            #expect((forced.json["holds"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("impossible transitions are 409 with a stable code and change nothing", arguments: TestEngine.available)
    func impossibleTransitions(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try #require(try await app.importSims(0..<1).first)
            let suspend = try await app.request(.post, "/v1/sims/\(sim)/suspend", key: app.operatorKey)
            #expect(suspend.status == 409)
            #expect(suspend.code == "sim_not_provisioned")
            #expect(try await app.request(.post, "/v1/sims/\(sim)/retire", key: app.operatorKey)["status"] == "RETIRED")
            let revive = try await app.request(.post, "/v1/sims/\(sim)/activate", key: app.operatorKey, json: ["force": true])
            #expect(revive.code == "sim_retired")
            let events = try await app.request(.get, "/v1/sims/\(sim)/events", key: app.operatorKey)
            #expect(events.items.compactMap { $0["type"] as? String } == ["sim.status_changed", "sim.imported"])
        }
    }

    @Test("unprovision keeps the SIM with its account; unassign returns it to stock", arguments: TestEngine.available)
    func unprovisionAndReturn(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
            #expect(try await app.request(.post, "/v1/sims/\(sim)/unassign", key: app.operatorKey).code == "sim_provisioned")
            #expect(try await app.request(.post, "/v1/sims/\(sim)/unprovision", key: key)["status"] == "UNPROVISIONED")
            let stock = try await app.request(.post, "/v1/sims/\(sim)/unassign", key: app.operatorKey, json: ["reason": "returned"])
            #expect(stock["status"] == "INVENTORY")
            #expect(stock.json["account"] is NSNull)
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: key).status == 404)
            // The former owner's history records where its SIM went.
            let formerHistory = try await app.request(.get, "/v1/events?type=sim.unassigned", key: key)
            #expect(formerHistory.items.count == 1)
        }
    }

    @Test("labels replace and metadata merges, with an event naming the old values", arguments: TestEngine.available)
    func updateLabelsAndMetadata(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account, labels: ["old"]).first)
            let updated = try await app.request(.post, "/v1/sims/\(sim)", key: key, json: ["labels": ["berlin", "fleet-2"], "metadata": ["bike": "B-17"]])
            #expect(updated.json["labels"] as? [String] == ["berlin", "fleet-2"])
            #expect((updated.json["metadata"] as? [String: String]) == ["bike": "B-17"])
            let removed = try await app.request(.post, "/v1/sims/\(sim)", key: key, json: ["metadata": ["bike": ""]])
            #expect((removed.json["metadata"] as? [String: String]) == [:])
            let event = try await app.request(.get, "/v1/events?type=sim.updated&limit=1", key: key).items.first
            let previous = (event?["data"] as? [String: Any])?["previous_attributes"] as? [String: Any]
            #expect((previous?["metadata"] as? [String: String]) == ["bike": "B-17"])
            #expect(try await app.request(.get, "/v1/sims?label=berlin", key: key).items.count == 1)
        }
    }

    @Test("bulk actions answer per SIM and change only the SIMs they could", arguments: TestEngine.available)
    func bulk(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            try await app.importSims(0..<4, account: account)
            try await app.importSims(4..<5)  // stock, invisible to the customer
            let iccids = (0..<5).map(Fixtures.iccid)
            _ = try await app.request(.post, "/v1/sims/\(iccids[1])/retire", key: key)

            let reply = try await app.request(.post, "/v1/sims/bulk", key: key, json: ["action": "activate", "iccids": iccids, "reason": "season start"])
            #expect(reply.status == 200)
            #expect(reply.json["succeeded"] as? Int == 3)
            #expect(reply.json["failed"] as? Int == 2)
            let entries = reply.items
            #expect(entries.map { $0["status"] as? String } == ["succeeded", "failed", "succeeded", "succeeded", "failed"])
            #expect((entries[1]["error"] as? [String: Any])?["code"] as? String == "sim_retired")
            #expect((entries[4]["error"] as? [String: Any])?["code"] as? String == "resource_missing")
            let live = try await app.request(.get, "/v1/sims?status=LIVE&limit=100", key: key).items
            #expect(live.count == 3)
            // Each SIM changed has its own event, with the request's reason, and only those do.
            let changes = try await app.request(.get, "/v1/events?type=sim.status_changed&limit=100", key: key).items
                .filter { ($0["cause"] as? [String: Any])?["reason"] as? String == "season start" }
            #expect(Set(changes.compactMap { $0["sim"] as? String }) == Set(live.compactMap { $0["id"] as? String }))
            #expect(changes.count == 3)

            let assign = try await app.request(.post, "/v1/sims/bulk", key: app.operatorKey, json: ["action": "assign", "iccids": [iccids[4]], "account": account])
            #expect(assign.json["succeeded"] as? Int == 1)
            #expect(try await app.request(.post, "/v1/sims/bulk", key: key, json: ["action": "assign", "iccids": [iccids[4]], "account": account]).status == 403)
        }
    }
}

extension TestHarness {
    /// Places a hold as another feature (payments, rules) would: through the lifecycle rules and the store.
    func placeHold(_ cause: HoldCause, on simID: String) async throws {
        try await database.store.transaction { tx in
            let sim = try #require(try await tx.sims.find(SimID(trusted: simID), accountID: nil, forUpdate: true))
            var updated = sim
            updated.state = try SimLifecycle.apply(
                .placeHold(cause), to: sim.state, at: clock.now(), cause: ChangeCause(actor: ChangeActor(.system, id: "test"))
            ).state
            try await tx.sims.save(updated, previous: sim)
        }
    }
}
