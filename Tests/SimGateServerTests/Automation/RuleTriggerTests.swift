import Foundation
@testable import SimGateServer
import SimGateRADIUS
import SimGateTestSupport
import Testing

/// Each trigger kind, driven through the front door by the fact it watches.
@Suite("Rule triggers, conditions and actions")
struct RuleTriggerTests {
    /// A customer with one LIVE SIM; returns the key and the SIM's id.
    static func customerWithSim(_ app: TestHarness, _ n: Int = 0, labels: [String] = []) async throws -> (account: String, key: String, sim: String) {
        let (account, key) = try await app.makeCustomer("E-Bikes \(n)")
        let sim = try #require(try await app.importSims(n..<(n + 1), account: account, labels: labels).first)
        _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
        return (account, key, sim)
    }

    /// Posts one usage record for `sim` now.
    static func use(_ app: TestHarness, key: String, sim: String, id: String, bytes: Int, network: String = "26201", imei: String? = nil) async throws {
        let now = RFC3339Text.format(app.clock.now())
        var record: [String: Any] = ["id": id, "sim": sim, "started_at": now, "ended_at": now, "bytes_up": 0, "bytes_down": bytes, "mcc_mnc": network]
        if let imei { record["imei"] = imei }
        let reply = try await app.request(.post, "/v1/usage_records", key: key, json: ["records": [record]])
        try #require(reply.status < 300, "\(reply.text)")
        try await app.settle()
    }

    /// Whether a matched time (written to the second) names `time`.
    static func sameSecond(_ text: String?, _ time: Date) -> Bool {
        guard let text, let date = RFC3339.date(from: text) else { return false }
        return abs(date.timeIntervalSince(time)) < 1
    }

    static func firings(_ app: TestHarness, key: String) async throws -> [[String: Any]] {
        try await RuleTests.firings(app, key: key)
    }

    /// A firing job can run again after its work committed: the process was killed before the
    /// job was marked done. It fired the rule again, with a new `rule.triggered` event whose
    /// webhook went out under a second `webhook-id` (twice in twelve `kill -9` runs).
    @Test("a firing job run again after its work committed fires nothing twice", arguments: TestEngine.available)
    func firingJobRunAgain(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (_, key, sim) = try await Self.customerWithSim(app)
            _ = try await RuleTests.rule(app, key: key, [
                "name": "Suspended", "trigger": ["type": "status_changed", "to": "OFFLINE"], "actions": [["type": "set_offline"]],
            ])
            _ = try await app.request(.post, "/v1/sims/\(sim)/suspend", key: key)
            try await app.settle()
            #expect(try await Self.firings(app, key: key).count == 1)
            // As the process left it when killed between the firing's commit and the job's.
            let reopened = try await app.database.sqlTransaction { db in
                try await db.raw("UPDATE jobs SET state = 'pending', locked_by = NULL, locked_until = NULL WHERE kind = \(bind: RuleFireJob.kind) RETURNING id").all().count
            }
            #expect(reopened == 1)
            try await app.settle()
            #expect(try await Self.firings(app, key: key).count == 1, "the rule fired twice for one fact")
        }
    }

    /// The same for a delayed action's job: run again, it recorded (and sent) `rule.action_ran`
    /// a second time.
    @Test("a delayed action's job run again after its work committed records nothing twice", arguments: [TestEngine.sqlite])
    func delayedActionRunAgain(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (_, key, sim) = try await Self.customerWithSim(app)
            _ = try await RuleTests.rule(app, key: key, [
                "name": "Suspended", "trigger": ["type": "status_changed", "to": "OFFLINE"], "actions": [["type": "lift_hold", "delay_seconds": 60]],
            ])
            _ = try await app.request(.post, "/v1/sims/\(sim)/suspend", key: key)
            try await app.settle()
            app.clock.advance(by: 60)
            try await app.settle()
            let ran = "/v1/events?type=rule.action_ran"
            #expect(try await app.request(.get, ran, key: key).items.count == 1)
            let reopened = try await app.database.sqlTransaction { db in
                try await db.raw("UPDATE jobs SET state = 'pending', locked_by = NULL, locked_until = NULL WHERE kind = \(bind: RuleActionJob.kind) RETURNING id").all().count
            }
            #expect(reopened == 1)
            try await app.settle()
            #expect(try await app.request(.get, ran, key: key).items.count == 1, "the delayed action was recorded twice")
        }
    }

    @Test("status_changed with from/to and any-of conditions; a delayed lift_hold re-opens; re-armed after a duration", arguments: [TestEngine.sqlite])
    func statusChanged(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (_, key, sim) = try await Self.customerWithSim(app, labels: ["fleet-a"])
            _ = try await app.request(.post, "/v1/sims/\(sim)", key: key, json: ["metadata": ["rider": "vip"]])
            _ = try await RuleTests.rule(app, key: key, [
                "name": "Suspended VIP", "trigger": ["type": "status_changed", "from": "LIVE", "to": "OFFLINE"],
                "conditions": ["match": "any", "clauses": [["type": "label", "label": "nope"], ["type": "metadata_equals", "key": "rider", "value": "vip"]]],
                "actions": [["type": "set_offline"], ["type": "lift_hold", "delay_seconds": 3_600]], "rearm": ["type": "after", "seconds": 7_200],
            ])
            _ = try await app.request(.post, "/v1/sims/\(sim)/suspend", key: key)
            try await app.settle()
            #expect(try await Self.firings(app, key: key).count == 1)
            app.clock.advance(by: 3_600)
            try await app.settle()
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: key)["status"] == "LIVE", "the rule lifted its own hold after an hour")
            _ = try await app.request(.post, "/v1/sims/\(sim)/suspend", key: key)
            try await app.settle()
            #expect(try await Self.firings(app, key: key).count == 1, "not re-armed within two hours")
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key, json: ["force": true])
            app.clock.advance(by: 7_200)
            _ = try await app.request(.post, "/v1/sims/\(sim)/suspend", key: key)
            try await app.settle()
            #expect(try await Self.firings(app, key: key).count == 2)
            // A status change from OFFLINE to LIVE matches nothing here.
            let ran = try await app.request(.get, "/v1/events?type=rule.action_ran", key: key).items
            #expect(ran.count == 1)
        }
    }

    @Test("country_changed, device_changed and a label scope", arguments: [TestEngine.sqlite])
    func placeAndDevice(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (_, key, sim) = try await Self.customerWithSim(app, labels: ["berlin"])
            _ = try await RuleTests.rule(app, key: key, [
                "name": "Moved", "scope": ["type": "label", "label": "berlin"], "trigger": ["type": "country_changed"], "actions": [["type": "set_offline"]],
            ])
            _ = try await RuleTests.rule(app, key: key, [
                "name": "Swapped", "scope": ["type": "label", "label": "munich"], "trigger": ["type": "device_changed"], "actions": [["type": "set_offline"]],
            ])
            _ = try await RuleTests.rule(app, key: key, ["name": "Any swap", "trigger": ["type": "device_changed"], "actions": [["type": "set_offline"]]])
            try await Self.use(app, key: key, sim: sim, id: "u1", bytes: 10, network: "26201", imei: Fixtures.imei(1))
            #expect(try await Self.firings(app, key: key).isEmpty, "a first place and a first device are no change")
            try await Self.use(app, key: key, sim: sim, id: "u2", bytes: 10, network: "23201", imei: Fixtures.imei(2))
            let names = try await Self.firings(app, key: key).compactMap { ($0["rule"] as? [String: Any])?["name"] as? String }.sorted()
            #expect(names == ["Any swap", "Moved"], "the munich-scoped rule does not watch a berlin SIM")
            let moved = try await Self.firings(app, key: key).first { ($0["rule"] as? [String: Any])?["name"] as? String == "Moved" }
            #expect((moved?["matched"] as? [String: Any])?["previous_country"] as? String == "DE")
            #expect((moved?["matched"] as? [String: Any])?["country"] as? String == "AT")
        }
    }

    // An event is read for its fact only when some rule watching its type could fire for the
    // SIM: a rule of the same event whose conditions fail, or of another type, must not hide one
    // that applies, and a usage rule is judged on its own conditions beside others that fail.
    @Test("each rule is judged on its own trigger, scope and conditions, beside rules of the same event or usage that do not apply", arguments: TestEngine.available)
    func judgedOnItsOwn(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (_, key, sim) = try await Self.customerWithSim(app, labels: ["berlin"])
            let never = ["match": "all", "clauses": [["type": "label", "label": "never-set"]]] as [String: Any]
            let berlin = ["match": "all", "clauses": [["type": "label", "label": "berlin"]]] as [String: Any]
            for (name, trigger, conditions) in [
                ("Left Germany", ["type": "country_not_in", "countries": ["DE"]], never),
                ("Moved", ["type": "country_changed"], berlin),
                ("Swapped", ["type": "device_changed"], never),
                ("Heavy, never", ["type": "usage_over", "limit_bytes": 100, "window": "day"], never),
                ("Heavy", ["type": "usage_over", "limit_bytes": 100, "window": "day"], berlin),
            ] as [(String, [String: Any], [String: Any])] {
                _ = try await RuleTests.rule(app, key: key, ["name": name, "trigger": trigger, "conditions": conditions, "actions": [["type": "set_offline"]]])
            }
            try await Self.use(app, key: key, sim: sim, id: "u1", bytes: 10, network: "26201", imei: Fixtures.imei(1))
            #expect(try await Self.firings(app, key: key).isEmpty)
            try await Self.use(app, key: key, sim: sim, id: "u2", bytes: 200, network: "23201", imei: Fixtures.imei(2))
            let names = try await Self.firings(app, key: key).compactMap { ($0["rule"] as? [String: Any])?["name"] as? String }.sorted()
            #expect(names == ["Heavy", "Moved"])
        }
    }

    @Test("session_opened on a RAT over RADIUS; first_use; no_data found by the scan once per idle stretch", arguments: [TestEngine.sqlite])
    func sessionsAndIdle(engine: TestEngine) async throws {
        // Nobody answers Disconnect-Requests here: do not wait long for the silence.
        try await TestHarness.run(engine, configure: { $0.radius.disconnectTimeout = .milliseconds(50) }) { app in
            let (_, key, sim) = try await Self.customerWithSim(app)
            _ = try await RuleTests.rule(app, key: key, [
                "name": "5G", "trigger": ["type": "session_opened", "rats": ["NR"]], "actions": [["type": "webhook", "endpoint": try await Self.endpoint(app, key: key)]],
            ])
            _ = try await RuleTests.rule(app, key: key, ["name": "Idle", "trigger": ["type": "no_data", "hours": 24], "actions": [["type": "set_offline"]], "rearm": ["type": "immediately"]])
            let secret = Array(TestHarness.radiusSecret.utf8)
            func start(_ session: String, rat: UInt8, id: UInt8) -> RADIUSPacket {
                GatewayAccountingRequest(.start, nas: .address([127, 0, 0, 1]), sessionID: session, imsi: Fixtures.imsi(0), mccMNC: "26201", ratType: rat, inputBytes: 0, outputBytes: 0)
                    .signed(identifier: id, secret: secret)
            }
            try await RADIUSAccountingTests.send(app, [start("lte", rat: 6, id: 1)])
            try await app.settle()
            #expect(try await Self.firings(app, key: key).isEmpty)
            try await RADIUSAccountingTests.send(app, [start("nr", rat: 10, id: 2)])
            try await app.settle()
            let fired = try await Self.firings(app, key: key)
            #expect(fired.count == 1 && (fired.first?["matched"] as? [String: Any])?["rat"] as? String == "NR")

            try await Self.use(app, key: key, sim: sim, id: "data", bytes: 100)
            app.clock.advance(by: 23 * 3_600)
            try await app.settle()
            #expect(try await Self.firings(app, key: key).count == 1, "23 hours is not 24")
            app.clock.advance(by: 3_600)
            try await app.settle()
            #expect(try await Self.firings(app, key: key).count == 2)
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: key)["status"] == "OFFLINE")
            app.clock.advance(by: 3_600)
            try await app.settle()
            #expect(try await Self.firings(app, key: key).count == 2, "the same idle stretch fires once")
        }
    }

    /// Idleness counts from when the SIM went LIVE with its present holder: never from a
    /// former owner's last data, nor from its own earlier stay's when it came back (A, B, A).
    @Test("no_data counts from when the SIM went LIVE with its present holder, not from a former owner's data or its own earlier stay's", arguments: TestEngine.available, [false, true])
    func idleAfterChangeOfHands(engine: TestEngine, handedBack: Bool) async throws {
        try await TestHarness.run(engine) { app in
            let (accountA, keyA, sim) = try await Self.customerWithSim(app)
            let (accountB, keyB) = try await app.makeCustomer("Scooters")
            try await Self.use(app, key: keyA, sim: sim, id: "a-last", bytes: 100)
            app.clock.advance(by: 10 * 3_600)
            _ = try await app.request(.post, "/v1/sims/\(sim)/unprovision", key: keyA)
            #expect(try await app.request(.post, "/v1/sims/\(sim)/assign", key: app.operatorKey, json: ["account": accountB]).status == 200)
            if handedBack {
                #expect(try await app.request(.post, "/v1/sims/\(sim)/assign", key: app.operatorKey, json: ["account": accountA]).status == 200)
            }
            let holder = handedBack ? keyA : keyB
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: holder)
            let activated = app.clock.now()
            _ = try await RuleTests.rule(app, key: holder, ["name": "Idle", "trigger": ["type": "no_data", "hours": 24], "actions": [["type": "set_offline"]]])
            // 25 hours after the first stay's data, 15 after the SIM went LIVE with its holder.
            app.clock.advance(by: 15 * 3_600)
            try await app.settle()
            #expect(try await Self.firings(app, key: holder).isEmpty, "the earlier data does not start this stay's idle stretch")
            app.clock.advance(by: 9 * 3_600 + 900)
            try await app.settle()
            let fired = try await Self.firings(app, key: holder)
            #expect(fired.count == 1)
            let lastData = (fired.first?["matched"] as? [String: Any])?["last_data_at"] as? String
            #expect(Self.sameSecond(lastData, activated), "\(fired)")
        }
    }

    @Test("one account's burst of firings is released at a bounded rate past its first 50, so another account's firing does not wait behind it", arguments: [TestEngine.sqlite])
    func burstDoesNotHoldUpOthers(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (_, keyA, simA) = try await Self.customerWithSim(app, 0)
            let (accountB, keyB, simB) = try await Self.customerWithSim(app, 1)
            let secondB = try #require(try await app.importSims(2..<3, account: accountB).first)
            _ = try await app.request(.post, "/v1/sims/\(secondB)/activate", key: keyB)
            for n in 0..<60 {
                _ = try await RuleTests.rule(app, key: keyB, ["name": "Burst \(n)", "trigger": ["type": "first_use"], "actions": [["type": "lift_hold"]]])
            }
            _ = try await RuleTests.rule(app, key: keyA, ["name": "Cut off", "trigger": ["type": "first_use"], "actions": [["type": "set_offline"]]])
            try await Self.use(app, key: keyB, sim: simB, id: "b-first", bytes: 10)
            try await Self.use(app, key: keyA, sim: simA, id: "a-first", bytes: 10)
            // At the clock's present, B's first 50 firings and A's one are due; B's last ten
            // follow 20 ms apart. Before, all 61 were due at once, oldest first: A's after B's 60.
            try await app.settle()
            #expect(try await app.request(.get, "/v1/sims/\(simA)", key: keyA)["status"] == "OFFLINE")
            #expect(try await Self.firings(app, key: keyB).count == 50)
            // B's next firings queue behind its earlier ones, in order, rather than overtake them.
            try await Self.use(app, key: keyB, sim: secondB, id: "b-second", bytes: 10)
            try await app.settle()
            #expect(try await Self.firings(app, key: keyB).count == 50)
            app.clock.advance(by: 0.2)
            try await app.settle()
            let firstTen = try await Self.firings(app, key: keyB)
            #expect(firstTen.count == 60 && firstTen.allSatisfy { $0["sim"] as? String == simB }, "the first SIM's firings run first")
            app.clock.advance(by: 2)
            try await app.settle()
            #expect(try await Self.firings(app, key: keyB).count == 100, "the rest run once their turn comes (the list shows the latest 100)")
        }
    }

    @Test("no_data measures from the latest record's end, which a late record sent afterwards does not move back", arguments: TestEngine.available)
    func idleFromLatestRecord(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (_, key, sim) = try await Self.customerWithSim(app)
            _ = try await RuleTests.rule(app, key: key, ["name": "Idle", "trigger": ["type": "no_data", "hours": 24], "actions": [["type": "set_offline"]]])
            let early = app.clock.now()
            app.clock.advance(by: 2 * 3_600)
            try await Self.use(app, key: key, sim: sim, id: "latest", bytes: 100, network: "23201")
            let latest = app.clock.now()
            // Sent now, from two hours ago, in another country: counted, but not the latest.
            let earlyText = RFC3339Text.format(early)
            let late = try await app.request(.post, "/v1/usage_records", key: key, json: ["records": [
                ["id": "late", "sim": sim, "started_at": earlyText, "ended_at": earlyText, "bytes_up": 0, "bytes_down": 5, "mcc_mnc": "26201"],
            ]])
            try #require(late.status < 300, "\(late.text)")
            app.clock.advance(by: 23 * 3_600)
            try await app.settle()
            #expect(try await Self.firings(app, key: key).isEmpty, "23 hours after the latest record is not 24")
            app.clock.advance(by: 3_600)
            try await app.settle()
            let fired = try await Self.firings(app, key: key)
            let lastData = (fired.first?["matched"] as? [String: Any])?["last_data_at"] as? String
            #expect(fired.count == 1 && Self.sameSecond(lastData, latest), "\(fired)")
        }
    }

    @Test("payment_failed and entitlement_lapsed from a generic gateway", arguments: [TestEngine.sqlite])
    func payments(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            try await app.setIMEI(Fixtures.imei(4), on: sim)
            let created = try await app.request(.post, "/v1/payment_gateways", key: key, json: ["kind": "generic"])
            let (gateway, secret) = (try #require(created["id"]), try #require(created["secret"]))
            _ = try await RuleTests.rule(app, key: key, ["name": "Dunning", "trigger": ["type": "payment_failed"], "actions": [["type": "set_offline"]]])
            _ = try await RuleTests.rule(app, key: key, ["name": "Lapsed", "trigger": ["type": "entitlement_lapsed"], "actions": [["type": "lift_hold"]]])
            let paidUntil = RFC3339.string(from: app.clock.now() + 86_400)
            try await app.sendGeneric(["type": "payment.succeeded", "subscription": "c-1", "imei": Fixtures.imei(4), "paid_until": paidUntil], id: "m1", gateway: gateway, secret: secret)
            try await app.settle()
            #expect(try await Self.firings(app, key: key).isEmpty)
            try await app.sendGeneric(["type": "payment.failed", "subscription": "c-1"], id: "m2", gateway: gateway, secret: secret)
            try await app.sendGeneric(["type": "payment.failed", "subscription": "c-1"], id: "m2", gateway: gateway, secret: secret)
            try await app.settle()
            let afterFailure = try await Self.firings(app, key: key).compactMap { ($0["rule"] as? [String: Any])?["name"] as? String }
            #expect(afterFailure == ["Dunning"], "a failed payment, received twice, fires once")
            // Past the paid day and the default 72 hours of grace.
            app.clock.advance(by: 5 * 86_400)
            try await app.settle()
            let names = try await Self.firings(app, key: key).compactMap { ($0["rule"] as? [String: Any])?["name"] as? String }
            #expect(names == ["Dunning", "Lapsed"])
        }
    }

    @Test("bundle_used at 80% tops the bundle up, once per bundle size", arguments: [TestEngine.sqlite])
    func bundle(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            _ = try await app.request(.post, "/v1/tariffs", key: app.operatorKey, json: ["number": 7, "name": "AOFU", "kind": "aofu", "accounts": [account]])
            let provisioned = try await app.request(.post, "/v1/sims/\(sim)/provision", key: key, json: ["tariff": 7, "shutdown_threshold_hours": 720, "bundle_size_mb": 1])
            try #require(provisioned.status < 300, "\(provisioned.text)")
            _ = try await RuleTests.rule(app, key: key, [
                "name": "Top up", "trigger": ["type": "bundle_used", "percent": 80], "actions": [["type": "top_up", "bytes": 1_048_576]],
            ])
            try await Self.use(app, key: key, sim: sim, id: "a", bytes: 800_000)
            #expect(try await Self.firings(app, key: key).isEmpty, "76% is under 80%")
            try await Self.use(app, key: key, sim: sim, id: "b", bytes: 50_000)
            try await Self.use(app, key: key, sim: sim, id: "c", bytes: 10_000)
            let bundle = try await app.request(.get, "/v1/sims/\(sim)/bundle", key: key)
            #expect(try await Self.firings(app, key: key).count == 1)
            #expect(bundle.text.contains("2097152"), "topped up to 2 MiB: \(bundle.text.prefix(300))")
        }
    }

    /// The window was the bundle's size alone: provision, use, shut down, provision again with
    /// the same size (the normal AOFU cycle) and the rule never fired for the new bundle.
    @Test("bundle_used fires again for a new bundle of the same size", arguments: TestEngine.available)
    func newBundleSameSize(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            _ = try await app.request(.post, "/v1/tariffs", key: app.operatorKey, json: ["number": 7, "name": "AOFU", "kind": "aofu", "accounts": [account]])
            _ = try await RuleTests.rule(app, key: key, [
                "name": "Half used", "trigger": ["type": "bundle_used", "percent": 50], "actions": [["type": "lift_hold"]],
            ])
            for life in 1...2 {
                let provisioned = try await app.request(.post, "/v1/sims/\(sim)/provision", key: key, json: ["tariff": 7, "shutdown_threshold_hours": 720, "bundle_size_mb": 1])
                try #require(provisioned.status < 300, "\(provisioned.text)")
                app.clock.advance(by: 600)
                try await Self.use(app, key: key, sim: sim, id: "life-\(life)", bytes: 700_000)
                #expect(try await Self.firings(app, key: key).count == life, "life \(life)")
                _ = try await app.request(.post, "/v1/sims/\(sim)/unprovision", key: key)
                app.clock.advance(by: 600)
            }
        }
    }

    /// A delayed action's `rule.action_ran` took its id from its job, made when the rule fired:
    /// it sorted behind every event made before it ran, and `ending_before` never found it.
    @Test("a delayed action's event sorts where it ran, after the events made while it waited", arguments: [TestEngine.sqlite])
    func delayedActionEventOrder(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
            _ = try await RuleTests.rule(app, key: key, [
                "name": "Later", "trigger": ["type": "first_use"], "actions": [["type": "set_offline", "delay_seconds": 3_600]],
            ])
            try await Self.use(app, key: key, sim: sim, id: "first", bytes: 10)
            app.clock.advance(by: 60)
            let meanwhile = try await app.request(.post, "/v1/sims/\(sim)", key: key, json: ["metadata": ["note": "meanwhile"]])
            try #require(meanwhile.status == 200, "\(meanwhile.text)")
            let updated = try #require(try await app.request(.get, "/v1/events?type=sim.updated", key: key).items.first?["id"] as? String)
            app.clock.advance(by: 3_600)
            try await app.settle()
            // Newest first: the action's event (with the hold it placed, at the same instant)
            // comes before the update made while it waited.
            let order = try await app.request(.get, "/v1/events?limit=10", key: key).items.compactMap { $0["type"] as? String }
            let ran = try #require(order.firstIndex(of: "rule.action_ran"), "\(order)")
            #expect(ran < (order.firstIndex(of: "sim.updated") ?? 0), "\(order)")
            let after = try await app.request(.get, "/v1/events?ending_before=\(updated)", key: key).items.compactMap { $0["type"] as? String }
            #expect(after.contains("rule.action_ran"), "\(after)")
        }
    }

    @Test("an ordered endpoint gets its deliveries one at a time in event order, even through a retry", arguments: TestEngine.available)
    func orderedEndpoint(engine: TestEngine) async throws {
        try await WebhookReceiver.serving { receiver in
            try await TestHarness.run(engine) { app in
                let (account, key) = try await app.makeCustomer("E-Bikes")
                _ = try await WebhookDeliveryTests.endpoint(app, key: key, url: receiver.url, types: ["sim.status_changed"], extra: ["ordered": true])
                receiver.script([.status(500)])
                let sims = try await app.importSims(0..<3, account: account)
                for sim in sims { _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key) }
                try await app.deliverWebhooks()
                #expect(receiver.received.count == 1, "the later deliveries wait for the first")
                app.clock.advance(by: 10)
                try await app.deliverWebhooks()
                let got = receiver.received
                #expect(got.count == 4)
                let order = try await app.request(.get, "/v1/events?type=sim.status_changed", key: key).items.reversed().compactMap { $0["id"] as? String }
                #expect(Array(got.map(\.id).dropFirst()) == order, "in the order the events happened")
            }
        }
    }

    /// An endpoint nobody listens on, for rules whose webhook action is only checked.
    static func endpoint(_ app: TestHarness, key: String) async throws -> String {
        try await WebhookDeliveryTests.endpoint(app, key: key, url: "http://127.0.0.1:9/unused", types: ["rule.deleted"]).id
    }
}
