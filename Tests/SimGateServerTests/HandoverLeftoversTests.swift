import Foundation
import SimGateCore
import SimGateRADIUS
import SimGateServer
import SimGateTestSupport
import Testing

/// What a SIM's former holder leaves behind when the SIM changes hands: a session still open,
/// a bundle's hold, a delayed rule action. None of it may reach the next holder.
@Suite("A SIM changing hands: what its former holder left running")
struct HandoverLeftoversTests {
    /// SIM 0, LIVE in a new customer's account `A1`, a second customer `A2`, and an AOFU tariff
    /// (24) offered to both.
    static func twoHolders(_ app: TestHarness) async throws -> (sim: String, first: (account: String, key: String), second: (account: String, key: String)) {
        let first = try await app.makeCustomer("A1")
        let second = try await app.makeCustomer("A2")
        let sim = try #require(try await app.importSims(0..<1, account: first.account).first)
        #expect(try await app.request(.post, "/v1/sims/\(sim)/activate", key: first.key)["status"] == "LIVE")
        let tariff = try await app.request(.post, "/v1/tariffs", key: app.operatorKey, json: [
            "number": 24, "name": "AOFU", "kind": "aofu", "accounts": [first.account, second.account],
        ])
        try #require(tariff.status == 201, "\(tariff.text)")
        return (sim, first, second)
    }

    /// A rule of `key`'s account that sets the SIM OFFLINE 60 s after first use, fired by a
    /// usage record; then the SIM is unprovisioned, ready to change hands with the action pending.
    static func delayedCutOffFired(_ app: TestHarness, sim: String, key: String) async throws {
        _ = try await RuleTests.rule(app, key: key, [
            "name": "Cut off later", "trigger": ["type": "first_use"],
            "actions": [["type": "set_offline", "delay_seconds": 60]], "rearm": ["type": "never"],
        ])
        try await RuleTriggerTests.use(app, key: key, sim: sim, id: "first", bytes: 20)
        _ = try await app.request(.post, "/v1/sims/\(sim)/unprovision", key: key)
    }

    /// The account's `rule.action_ran` events, and the actions the newest one reports.
    static func actionsRan(_ app: TestHarness, key: String) async throws -> (events: [[String: Any]], actions: [[String: Any]]?) {
        let ran = try await app.request(.get, "/v1/events?type=rule.action_ran", key: key).items
        return (ran, ((ran.first?["data"] as? [String: Any])?["object"] as? [String: Any])?["actions"] as? [[String: Any]])
    }

    /// A former holder's session, still open at the gateway, reported after the handover: its
    /// bytes were counted as the new holder's, bound the former's device to the SIM, started the
    /// new holder's AOFU countdown and used up its bundle. It is now the former holder's, and
    /// is ended: no status of the new holder keeps it.
    @Test("a session the former holder began is that holder's: its later bytes touch neither the new holder's SIM nor its events, and it is asked to end once", arguments: TestEngine.available)
    func formerHoldersSession(engine: TestEngine) async throws {
        let gateway = try await FakeGatewayCoAPort()
        try await gateway.serving {
            try await TestHarness.run(engine, configure: { configuration in
                configuration.radius.clients = [RADIUSClient(name: "test-pgw", address: "127.0.0.1", secret: TestHarness.radiusSecret, coaPort: gateway.port)]
                configuration.radius.disconnectTimeout = RADIUSDisconnectTests.answerTimeout
            }) { app in
                try await Self.formerHoldersSession(app, gateway)
            }
        }
    }

    private static func formerHoldersSession(_ app: TestHarness, _ gateway: FakeGatewayCoAPort) async throws {
        let (sim, first, second) = try await Self.twoHolders(app)
        func report(_ status: AccountingStatusType, input: UInt64, identifier: UInt8) async throws {
            try await RADIUSAccountingTests.send(app, [
                RADIUSAccountingTests.accounting(status, session: "before", imsi: Fixtures.imsi(0), input: input, output: 0, identifier: identifier, imeisv: "3569380356438091"),
            ])
        }
        try await report(.start, input: 0, identifier: 1)
        try await report(.interimUpdate, input: 1_000, identifier: 2)
        // The gateway refuses the unprovision's Disconnect-Request (a final answer for that
        // change, so no retry of it is left): the session stays open.
        gateway.answer(.nak(errorCause: 506))  // Resources Unavailable
        _ = try await app.request(.post, "/v1/sims/\(sim)/unprovision", key: first.key)
        try await app.settle()
        let askedAtUnprovision = gateway.received.count
        #expect(askedAtUnprovision == 1)
        app.clock.advance(by: 1)
        let moved = try await app.request(.post, "/v1/sims/\(sim)/assign", key: app.operatorKey, json: ["account": second.account])
        #expect(moved.status == 200, "\(moved.text)")
        let provisioned = try await app.request(.post, "/v1/sims/\(sim)/provision", key: second.key, json: [
            "tariff": 24, "shutdown_threshold_hours": 24, "bundle_size_mb": 1,
        ])
        #expect(provisioned["status"] == "LIVE", "\(provisioned.text)")

        // The gateway's session goes on: 2 MB more. SimGate asks the gateway again to end it,
        // once for this change of the SIM: its next report, answered meanwhile, asks nothing.
        app.clock.advance(by: 60)
        try await report(.interimUpdate, input: 1_501_000, identifier: 3)
        try await app.settle()
        #expect(gateway.received.count == askedAtUnprovision + 1, "one Disconnect-Request for the former holder's session")
        app.clock.advance(by: 60)
        try await report(.interimUpdate, input: 2_001_000, identifier: 4)
        try await app.settle()
        #expect(gateway.received.count == askedAtUnprovision + 1, "not asked again for each report")
        try await report(.stop, input: 2_002_000, identifier: 5)
        try await app.settle()

        let state = try await app.request(.get, "/v1/sims/\(sim)", key: second.key)
        #expect(state["status"] == "LIVE" && state.json["imei"] is NSNull && state.json["first_use_at"] is NSNull, "\(state.text)")
        #expect(state.json["shutdown_at"] is NSNull && state.json["last_seen"] is NSNull, "\(state.text)")
        #expect((state.json["bundle"] as? [String: Any])?["used_bytes"] as? Int == 0, "\(state.text)")
        let seen = try await app.request(.get, "/v1/sims/\(sim)/events", key: second.key).items.compactMap { $0["type"] as? String }
        for type in ["sim.device_bound", "sim.first_use", "sim.location_changed", "sim.session_stopped", "sim.session_disconnected", "sim.hold_placed"] {
            #expect(!seen.contains(type), "\(type) in \(seen)")
        }
        #expect(try await app.request(.get, "/v1/sims/\(sim)/usage", key: second.key).items.isEmpty)
        // The bytes are the former holder's, in its totals; the session's end is the operator's to see.
        let usage = try await app.request(.get, "/v1/usage?account=\(first.account)&granularity=month", key: app.operatorKey)
        #expect(usage.text.contains("\"bytes_up\":2002000"), "\(usage.text)")
        let disconnected = try await app.request(.get, "/v1/sims/\(sim)/events?type=sim.session_disconnected", key: app.operatorKey).items
        // The unprovision's NAK was the former holder's to see; the one after the handover is
        // the operator's alone (newest first).
        #expect(disconnected.count == 2 && !(disconnected.first?["account"] is String) && disconnected.last?["account"] as? String == first.account, "\(disconnected)")
        let stops = try await app.request(.get, "/v1/sims/\(sim)/events?type=sim.session_stopped", key: app.operatorKey).items
        #expect(stops.count == 1 && !(stops.first?["account"] is String), "\(stops)")
    }

    /// The bundle went with its holder, but its hold stayed: the new holder's SIM was OFFLINE
    /// for a bundle it never had, held by the former holder's key.
    @Test("a bundle's hold goes with the bundle when the SIM changes hands", arguments: TestEngine.available)
    func bundleHoldLeavesWithBundle(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (sim, first, second) = try await Self.twoHolders(app)
            let provisioned = try await app.request(.post, "/v1/sims/\(sim)/provision", key: first.key, json: [
                "tariff": 24, "shutdown_threshold_hours": 24, "bundle_size_mb": 1,
            ])
            try #require(provisioned.status == 200, "\(provisioned.text)")
            try await AOFULifecycleTests.report(app, .start, session: "use-it-up", input: 2_000_000, identifier: 1)
            let held = try await app.request(.get, "/v1/sims/\(sim)", key: first.key)
            try #require((held.json["holds"] as? [[String: Any]])?.contains { $0["cause"] as? String == "bundle" } == true, "\(held.text)")

            _ = try await app.request(.post, "/v1/sims/\(sim)/unprovision", key: first.key)
            let moved = try await app.request(.post, "/v1/sims/\(sim)/assign", key: app.operatorKey, json: ["account": second.account])
            #expect(moved.status == 200, "\(moved.text)")
            #expect(moved.json["bundle"] is NSNull && (moved.json["holds"] as? [Any])?.isEmpty == true, "\(moved.text)")
            let activated = try await app.request(.post, "/v1/sims/\(sim)/activate", key: second.key)
            #expect(activated["status"] == "LIVE", "\(activated.text)")
        }
    }
    /// A delayed action whose SIM changed hands before it was due was dropped in silence: the
    /// rule's account never learnt that it did not run.
    @Test("a delayed action due after its SIM changed hands is recorded as skipped, and leaves the SIM alone", arguments: TestEngine.available)
    func delayedActionAfterHandover(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (sim, first, second) = try await Self.twoHolders(app)
            try await Self.delayedCutOffFired(app, sim: sim, key: first.key)
            let moved = try await app.request(.post, "/v1/sims/\(sim)/assign", key: app.operatorKey, json: ["account": second.account])
            #expect(moved.status == 200, "\(moved.text)")
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: second.key)
            app.clock.advance(by: 61)
            try await app.settle()
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: second.key)["status"] == "LIVE")
            let (ran, outcome) = try await Self.actionsRan(app, key: first.key)
            #expect(ran.count == 1 && outcome?.first?["outcome"] as? String == "skipped", "\(ran)")
            #expect(try await app.request(.get, "/v1/events?type=rule.action_ran", key: second.key).items.isEmpty)
        }
    }

    /// A delayed action of the first holder ran when its SIM had come back to that holder
    /// before the action was due (A1 -> A2 -> A1): it acted on a later tenure than the one
    /// that fired it.
    @Test("a delayed action due after its SIM went away and came back is skipped too", arguments: TestEngine.available)
    func delayedActionAfterRoundTrip(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (sim, first, second) = try await Self.twoHolders(app)
            try await Self.delayedCutOffFired(app, sim: sim, key: first.key)
            for account in [second.account, first.account] {
                app.clock.advance(by: 1)
                let moved = try await app.request(.post, "/v1/sims/\(sim)/assign", key: app.operatorKey, json: ["account": account])
                #expect(moved.status == 200, "\(moved.text)")
            }
            #expect(try await app.request(.post, "/v1/sims/\(sim)/activate", key: first.key)["status"] == "LIVE")
            app.clock.advance(by: 61)
            try await app.settle()
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: first.key)["status"] == "LIVE")
            let (ran, outcome) = try await Self.actionsRan(app, key: first.key)
            #expect(ran.count == 1 && outcome?.first?["outcome"] as? String == "skipped", "\(ran)")
            #expect(outcome?.first?["detail"] as? String == "The SIM changed hands after the rule fired.", "\(ran)")
        }
    }

    /// A rule that had fired for the SIM (re-arm `never`) stayed silent in the SIM's next tenure,
    /// even back in the same account: its memory of the SIM outlived the handover.
    @Test("a SIM that changed hands is new to every rule, even back in the same account", arguments: TestEngine.available)
    func rulesForgetAfterHandover(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (sim, first, second) = try await Self.twoHolders(app)
            _ = try await RuleTests.rule(app, key: first.key, [
                "name": "Left Germany", "trigger": ["type": "country_not_in", "countries": ["DE"]],
                "actions": [["type": "set_offline"]], "rearm": ["type": "never"],
            ])
            try await RuleTriggerTests.use(app, key: first.key, sim: sim, id: "abroad-1", bytes: 10, network: "20801")
            #expect(try await RuleTests.firings(app, key: first.key).count == 1)
            _ = try await app.request(.post, "/v1/sims/\(sim)/unprovision", key: first.key)
            for account in [second.account, first.account] {
                app.clock.advance(by: 1)
                let moved = try await app.request(.post, "/v1/sims/\(sim)/assign", key: app.operatorKey, json: ["account": account])
                #expect(moved.status == 200, "\(moved.text)")
            }
            #expect(try await app.request(.post, "/v1/sims/\(sim)/activate", key: first.key)["status"] == "LIVE")
            app.clock.advance(by: 1)
            try await RuleTriggerTests.use(app, key: first.key, sim: sim, id: "abroad-2", bytes: 10, network: "20801")
            #expect(try await RuleTests.firings(app, key: first.key).count == 2)
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: first.key)["status"] == "OFFLINE")
        }
    }

    /// A delayed action of a rule turned off before it was due vanished: its firing said
    /// "scheduled" for ever, and nothing said it did not run.
    @Test("a delayed action of a rule turned off before it was due is recorded as skipped", arguments: [TestEngine.sqlite])
    func delayedActionOfRuleTurnedOff(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (sim, first, _) = try await Self.twoHolders(app)
            let rule = try await RuleTests.rule(app, key: first.key, [
                "name": "Cut off later", "trigger": ["type": "first_use"],
                "actions": [["type": "set_offline", "delay_seconds": 60]],
            ])
            try await RuleTriggerTests.use(app, key: first.key, sim: sim, id: "first", bytes: 10)
            let off = try await app.request(.post, "/v1/rules/\(rule)", key: first.key, json: ["enabled": false])
            #expect(off.status == 200, "\(off.text)")
            app.clock.advance(by: 61)
            try await app.settle()
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: first.key)["status"] == "LIVE")
            let (ran, outcome) = try await Self.actionsRan(app, key: first.key)
            #expect(ran.count == 1 && outcome?.first?["outcome"] as? String == "skipped", "\(ran)")
            #expect(outcome?.first?["detail"] as? String == "The rule was turned off.", "\(ran)")

            // A firing not yet run when the rule is turned off does nothing.
            try await RuleTriggerTests.use(app, key: first.key, sim: sim, id: "second", bytes: 10, network: "20801")
            let roaming = try await RuleTests.rule(app, key: first.key, [
                "name": "Roaming", "trigger": ["type": "country_changed"], "actions": [["type": "set_offline"]],
            ])
            let now = RFC3339Text.format(app.clock.now())
            _ = try await app.request(.post, "/v1/usage_records", key: first.key, json: ["records": [
                ["id": "third", "sim": sim, "started_at": now, "ended_at": now, "bytes_up": 1, "bytes_down": 1, "mcc_mnc": "26201"],
            ]])
            _ = try await app.request(.post, "/v1/rules/\(roaming)", key: first.key, json: ["enabled": false])
            try await app.settle()
            #expect(try await app.request(.get, "/v1/events?type=rule.triggered", key: first.key).items.count == 1, "only the first rule's firing")
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: first.key)["status"] == "LIVE")
        }
    }

    /// A customer's activate over the operator's hold was told to "activate with force", which
    /// only led to `operator_hold`; a retired SIM still took labels and metadata.
    @Test("a customer's activate over the operator's hold is operator_hold at once; a retired SIM takes no update", arguments: TestEngine.available)
    func operatorHoldAndRetired(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (sim, first, _) = try await Self.twoHolders(app)
            _ = try await app.request(.post, "/v1/sims/\(sim)/suspend", key: app.operatorKey)
            for body in [[String: Any](), ["force": true]] {
                let refused = try await app.request(.post, "/v1/sims/\(sim)/activate", key: first.key, json: body)
                #expect(refused.status == 409 && refused.code == "operator_hold", "\(body): \(refused.text)")
            }
            let retired = try await app.request(.post, "/v1/sims/\(sim)/retire", key: app.operatorKey)
            #expect(retired["status"] == "RETIRED", "\(retired.text)")
            let events = try await app.request(.get, "/v1/sims/\(sim)/events?limit=100", key: app.operatorKey).items.count
            let update = try await app.request(.post, "/v1/sims/\(sim)", key: first.key, json: ["labels": ["after"], "metadata": ["k": "v"]])
            #expect(update.status == 409 && update.code == "sim_retired", "\(update.text)")
            let after = try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)
            #expect((after.json["labels"] as? [Any])?.isEmpty == true && (after.json["metadata"] as? [String: Any])?.isEmpty == true, "\(after.text)")
            #expect(try await app.request(.get, "/v1/sims/\(sim)/events?limit=100", key: app.operatorKey).items.count == events)
        }
    }
}
