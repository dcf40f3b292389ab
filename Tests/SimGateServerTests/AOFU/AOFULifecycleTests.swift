import Foundation
import SimGateCore
import SimGateRADIUS
import SimGateTestSupport
import Testing

@Suite("Activate On First Use through /v1 and RADIUS")
struct AOFULifecycleTests {
    /// An AOFU tariff (number 24) offered to the fleet account, and one SIM of the fleet
    /// provisioned on it with `hours` of threshold and `megabytes` of bundle. Returns the SIM.
    static func provisionedSim(_ app: TestHarness, hours: Int = 24, megabytes: Int = 1) async throws -> String {
        let tariff = try await app.request(.post, "/v1/tariffs", key: app.operatorKey, json: [
            "number": 24, "name": "AOFU 24h", "kind": "aofu", "accounts": [app.fleetAccount],
        ])
        try #require(tariff.status == 201, "\(tariff.text)")
        let sim = try #require(try await app.importSims(0..<1).first)
        let provisioned = try await app.request(.post, "/v1/sims/\(sim)/provision", key: app.operatorKey, json: [
            "tariff": 24, "shutdown_threshold_hours": hours, "bundle_size_mb": megabytes,
        ])
        try #require(provisioned.status == 200, "\(provisioned.text)")
        return sim
    }

    /// Accounting for SIM 0's session `session` with these cumulative counters.
    static func report(_ app: TestHarness, _ status: AccountingStatusType, session: String = "a-1", input: UInt64, output: UInt64 = 0, identifier: UInt8) async throws {
        try await RADIUSAccountingTests.send(app, [
            RADIUSAccountingTests.accounting(status, session: session, imsi: Fixtures.imsi(0), input: input, output: output, identifier: identifier),
        ])
    }

    @Test("provisioned LIVE with its bundle; first use over RADIUS schedules the shutdown, which unprovisions exactly once", arguments: TestEngine.available)
    func firstUseToShutdown(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await Self.provisionedSim(app)
            let before = try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)
            #expect(before["status"] == "LIVE")
            #expect(before.json["tariff_number"] as? Int == 24)
            #expect(before.json["shutdown_threshold_hours"] as? Int == 24)
            #expect(before.json["shutdown_at"] is NSNull)
            #expect((before.json["bundle"] as? [String: Any])?["size_bytes"] as? Int == 1_048_576)

            // Free until first use: a session with no bytes starts nothing.
            try await Self.report(app, .start, input: 0, identifier: 1)
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey).json["first_use_at"] is NSNull)
            let firstUse = app.clock.now()
            try await Self.report(app, .interimUpdate, input: 1_000, identifier: 2)
            let used = try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)
            let shutdownAt = try #require(used["shutdown_at"] as String?)
            #expect(shutdownAt == RFC3339Text.format(firstUse.addingTimeInterval(24 * 3600)))
            #expect(try await app.request(.get, "/v1/events?type=sim.shutdown_scheduled", key: app.operatorKey).items.count == 1)
            let soon = try await app.request(.get, "/v1/sims?shutdown_before=\(RFC3339Text.format(firstUse.addingTimeInterval(25 * 3600)))", key: app.operatorKey)
            #expect(soon.items.map { $0["id"] as? String } == [sim])

            // A minute early nothing happens; at the deadline the SIM goes, once.
            app.clock.advance(by: 24 * 3600 - 60)
            try await app.settle()
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)["status"] == "LIVE")
            app.clock.advance(by: 60)
            try await app.settle()
            try await app.settle()
            let after = try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)
            #expect(after["status"] == "UNPROVISIONED")
            #expect(after.json["shutdown_at"] is NSNull, "no longer due: \(after.text)")
            let unprovisioned = try await app.request(.get, "/v1/events?type=sim.unprovisioned", key: app.operatorKey)
            #expect(unprovisioned.items.count == 1)
            let cause = (unprovisioned.items.first?["cause"] as? [String: Any])?["actor"] as? [String: Any]
            #expect(cause?["type"] as? String == "scheduler")
            // Gone, it is no longer about to go; nor can it take a new threshold (and shutdown).
            let due = try await app.request(.get, "/v1/sims?shutdown_before=\(RFC3339Text.format(firstUse.addingTimeInterval(25 * 3600)))", key: app.operatorKey)
            #expect(due.items.isEmpty, "\(due.text)")
            let threshold = try await app.request(.post, "/v1/sims/\(sim)/shutdown_threshold", key: app.operatorKey, json: ["hours": 48])
            #expect(threshold.status == 409 && threshold.code == "sim_unprovisioned", "\(threshold.text)")
            #expect(try await app.request(.get, "/v1/events?type=sim.shutdown_scheduled", key: app.operatorKey).items.count == 1)
        }
    }

    /// A retired SIM took a new threshold (and a new shutdown, with its event) although every
    /// other change, its top-ups included, is refused once it is retired.
    @Test("a retired SIM's shutdown threshold cannot be changed", arguments: TestEngine.available)
    func retiredKeepsItsThreshold(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await Self.provisionedSim(app, hours: 48)
            try await Self.report(app, .start, input: 500, identifier: 1)
            let retired = try await app.request(.post, "/v1/sims/\(sim)/retire", key: app.operatorKey, json: [:])
            #expect(retired["status"] == "RETIRED", "\(retired.text)")
            let scheduled = try await app.request(.get, "/v1/events?type=sim.shutdown_scheduled", key: app.operatorKey).items.count

            let refused = try await app.request(.post, "/v1/sims/\(sim)/shutdown_threshold", key: app.operatorKey, json: ["hours": 5])
            #expect(refused.status == 409, "\(refused.text)")
            #expect(refused.code == "sim_retired")
            let after = try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)
            #expect(after.json["shutdown_threshold_hours"] as? Int == 48)
            #expect(try await app.request(.get, "/v1/events?type=sim.shutdown_scheduled", key: app.operatorKey).items.count == scheduled)
        }
    }

    @Test("a threshold change before first use only stores it; after, it counts from the first use, and past it unprovisions at once", arguments: TestEngine.available)
    func thresholdChanges(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await Self.provisionedSim(app, hours: 48)
            let early = try await app.request(.post, "/v1/sims/\(sim)/shutdown_threshold", key: app.operatorKey, json: ["hours": 10])
            #expect(early.json["shutdown_threshold_hours"] as? Int == 10)
            #expect(early.json["shutdown_at"] is NSNull)
            let firstUse = app.clock.now()
            try await Self.report(app, .start, input: 500, identifier: 1)
            app.clock.advance(by: 5 * 3600)
            let longer = try await app.request(.post, "/v1/sims/\(sim)/shutdown_threshold", key: app.operatorKey, json: ["hours": 12])
            #expect(longer["shutdown_at"] == RFC3339Text.format(firstUse.addingTimeInterval(12 * 3600)))
            // The job queued for the old 10-hour deadline finds the new one and does nothing.
            app.clock.advance(by: 5 * 3600 + 1)
            try await app.settle()
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)["status"] == "LIVE")
            // Lowered below the time already passed: unprovisioned straight away.
            let past = try await app.request(.post, "/v1/sims/\(sim)/shutdown_threshold", key: app.operatorKey, json: ["hours": 1])
            #expect(past["shutdown_at"] == RFC3339Text.format(firstUse.addingTimeInterval(3600)))
            try await app.settle()
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)["status"] == "UNPROVISIONED")
            #expect(try await app.request(.get, "/v1/events?type=sim.unprovisioned", key: app.operatorKey).items.count == 1)
        }
    }

    @Test("using up the bundle holds the SIM and rejects it at the gate; a top-up with room lifts the hold; the history shows it all", arguments: TestEngine.available)
    func bundleExhaustionAndTopUp(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await Self.provisionedSim(app, megabytes: 1)
            try await Self.report(app, .start, input: 0, identifier: 1)
            try await Self.report(app, .interimUpdate, input: 600_000, output: 600_000, identifier: 2)
            let held = try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)
            #expect(held["status"] == "OFFLINE")
            #expect((held.json["holds"] as? [[String: Any]])?.compactMap { $0["cause"] as? String } == ["bundle"])
            let bundle = try #require(held.json["bundle"] as? [String: Any])
            #expect(bundle["used_bytes"] as? Int == 1_200_000)
            #expect(bundle["remaining_bytes"] as? Int == 0)
            #expect(bundle["overshoot_bytes"] as? Int == 1_200_000 - 1_048_576)
            let (code, message) = try await RADIUSAccessTests.ask(app, RADIUSAccessTests.accessRequest(imsi: Fixtures.imsi(0), userName: "pgw", identifier: 9))
            #expect(code == .accessReject)
            #expect(message == "SIM is OFFLINE: hold bundle")

            // Too small a top-up leaves it held; enough lifts the hold.
            let small = try await app.request(.post, "/v1/sims/\(sim)/top_ups", key: app.operatorKey, json: ["amount_mb": 0])
            #expect(small.status == 400)
            #expect(small.param == "amount_mb")
            _ = try await app.request(.post, "/v1/sims/\(sim)/top_ups", key: app.operatorKey, json: ["amount_mb": 1, "reason": "first"], headers: ["Idempotency-Key": "t-1"])
            // A retry with the same key adds nothing.
            _ = try await app.request(.post, "/v1/sims/\(sim)/top_ups", key: app.operatorKey, json: ["amount_mb": 1, "reason": "first"], headers: ["Idempotency-Key": "t-1"])
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)["status"] == "LIVE")
            let history = try await app.request(.get, "/v1/sims/\(sim)/bundle", key: app.operatorKey)
            let changes = try #require(history.json["changes"] as? [[String: Any]])
            #expect(changes.map { $0["kind"] as? String } == ["granted", "topped_up"])
            #expect(changes.map { $0["bytes"] as? Int } == [1_048_576, 1_048_576])
            let current = try #require(history.json["current"] as? [String: Any])
            #expect(current["size_bytes"] as? Int == 2_097_152)
            #expect(current["remaining_bytes"] as? Int == 2_097_152 - 1_200_000)
            #expect(try await app.request(.get, "/v1/events?type=sim.bundle_topped_up", key: app.operatorKey).items.count == 1)
        }
    }

    @Test("bad AOFU bodies get clear errors naming the field and change nothing", arguments: TestEngine.available)
    func badBodies(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            _ = try await app.request(.post, "/v1/tariffs", key: app.operatorKey, json: ["number": 1, "name": "Standard", "kind": "standard", "accounts": [app.fleetAccount]])
            _ = try await app.request(.post, "/v1/tariffs", key: app.operatorKey, json: ["number": 2, "name": "AOFU", "kind": "aofu", "accounts": [app.fleetAccount]])
            let sim = try #require(try await app.importSims(0..<1).first)
            let cases: [([String: Any], Int, String)] = [
                (["tariff": 2, "bundle_size_mb": 5], 400, "shutdown_threshold_hours"),
                (["tariff": 2, "shutdown_threshold_hours": 0, "bundle_size_mb": 5], 400, "shutdown_threshold_hours"),
                (["tariff": 2, "shutdown_threshold_hours": 2_147_483_648, "bundle_size_mb": 5], 400, "shutdown_threshold_hours"),
                (["tariff": 2, "shutdown_threshold_hours": "24", "bundle_size_mb": 5], 400, "shutdown_threshold_hours"),
                (["tariff": 1, "shutdown_threshold_hours": 24], 400, "shutdown_threshold_hours"),
                (["tariff": 1, "bundle_size_mb": 5], 400, "bundle_size_mb"),
                (["tariff": 3], 404, "tariff"),
            ]
            for (body, status, param) in cases {
                let reply = try await app.request(.post, "/v1/sims/\(sim)/provision", key: app.operatorKey, json: body)
                #expect(reply.status == status, "\(body): \(reply.text)")
                #expect(reply.param == param, "\(body): \(reply.text)")
                // The message names the field as this API spells it, not as Cellhire's does.
                let detail = reply["detail"] ?? ""
                #expect(!["shutdownThreshold", "bundleSizeMb", "tariffNumber"].contains { detail.contains($0) }, "\(body): \(detail)")
            }
            let untouched = try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)
            #expect(untouched["status"] == "INVENTORY")
            #expect(untouched.json["tariff_number"] is NSNull)
            // A standard SIM has no threshold and no bundle to top up.
            _ = try await app.request(.post, "/v1/sims/\(sim)/provision", key: app.operatorKey, json: ["tariff": 1])
            #expect(try await app.request(.post, "/v1/sims/\(sim)/shutdown_threshold", key: app.operatorKey, json: ["hours": 5]).code == "not_aofu")
            #expect(try await app.request(.post, "/v1/sims/\(sim)/top_ups", key: app.operatorKey, json: ["amount_mb": 5]).code == "no_bundle")
        }
    }
}
