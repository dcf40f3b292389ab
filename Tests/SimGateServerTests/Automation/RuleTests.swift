import Foundation
import SimGateRADIUS
import SimGateTestSupport
import Testing

@Suite("Automation rules")
struct RuleTests {
    /// Creates a rule; returns its id.
    static func rule(_ app: TestHarness, key: String, _ body: [String: Any]) async throws -> String {
        let reply = try await app.request(.post, "/v1/rules", key: key, json: body)
        try #require(reply.status == 201, "rule not created: \(reply.text)")
        return try #require(reply["id"])
    }

    /// The `rule.triggered` events of the account, oldest first, as their objects.
    static func firings(_ app: TestHarness, key: String) async throws -> [[String: Any]] {
        try await app.request(.get, "/v1/events?type=rule.triggered&limit=100", key: key).items.reversed()
            .compactMap { ($0["data"] as? [String: Any])?["object"] as? [String: Any] }
    }

    @Test("a roaming rule: accounting from 20801 for a SIM allowed only DE sets it OFFLINE; RADIUS then rejects it and a Disconnect-Request goes out", arguments: TestEngine.available)
    func roaming(engine: TestEngine) async throws {
        try await RADIUSDisconnectTests.withGateway(engine) { app, gateway, sims in
            try await WebhookReceiver.serving { receiver in
                let key = app.operatorKey
                let (endpoint, secret) = try await WebhookDeliveryTests.endpoint(app, key: key, url: receiver.url, types: ["sim.status_changed"], extra: ["account": app.fleetAccount])
                let rule = try await Self.rule(app, key: key, [
                    "account": app.fleetAccount, "name": "Bike left Germany",
                    "trigger": ["type": "country_not_in", "countries": ["DE"]],
                    "actions": [["type": "set_offline"], ["type": "webhook", "endpoint": endpoint]],
                    "rearm": ["type": "next_day"],
                ])
                let imsi = Fixtures.imsi(0)
                try await RADIUSAccountingTests.send(app, [
                    RADIUSAccountingTests.accounting(.start, session: "trip", imsi: imsi, input: 0, output: 0, identifier: 1, mccMNC: "26201"),
                    RADIUSAccountingTests.accounting(.interimUpdate, session: "trip", imsi: imsi, input: 500, output: 5_000, identifier: 2, mccMNC: "26201"),
                ])
                try await app.settle()
                #expect(try await app.request(.get, "/v1/sims/\(sims[0])", key: key)["status"] == "LIVE", "in Germany nothing fires")
                try await RADIUSAccountingTests.send(app, [
                    RADIUSAccountingTests.accounting(.interimUpdate, session: "trip", imsi: imsi, input: 900, output: 9_000, identifier: 3, mccMNC: "20801"),
                ])
                try await app.settle()
                let sim = try await app.request(.get, "/v1/sims/\(sims[0])", key: key)
                #expect(sim["status"] == "OFFLINE")
                let holds = (sim.json["holds"] as? [[String: Any]] ?? []).compactMap { $0["cause"] as? String }
                #expect(holds == ["rule:\(rule)"])
                let (decision, message) = try await RADIUSAccessTests.ask(app, RADIUSAccessTests.accessRequest(imsi: imsi, userName: "pgw", identifier: 9))
                #expect(decision == .accessReject)
                #expect(message?.contains("OFFLINE") == true, "\(message ?? "")")
                #expect(gateway.received.first?.attribute(RADIUSAttributeType.acctSessionID)?.textValue == "trip")

                let firings = try await Self.firings(app, key: key)
                try #require(firings.count == 1)
                #expect((firings[0]["rule"] as? [String: Any])?["id"] as? String == rule)
                #expect((firings[0]["matched"] as? [String: Any])?["country"] as? String == "FR")
                // The firing carries the event that set it off, whole.
                let triggering = firings[0]["triggering_event"] as? [String: Any]
                #expect(triggering?["type"] as? String == "sim.location_changed" && triggering?["id"] as? String == firings[0]["source_event"] as? String)
                let outcomes = (firings[0]["actions"] as? [[String: Any]] ?? []).map { "\($0["type"] ?? "")=\($0["outcome"] ?? "")" }
                #expect(outcomes == ["set_offline=done", "webhook=queued"])
                // Why is it OFFLINE? The status change names the rule and its reason.
                let change = try #require(try await app.request(.get, "/v1/events?type=sim.status_changed&sim=\(sims[0])", key: key).items.first)
                let cause = change["cause"] as? [String: Any]
                #expect((cause?["actor"] as? [String: Any])?["id"] as? String == rule || cause?["actor_id"] as? String == rule, "\(String(describing: cause))")

                try await app.deliverWebhooks()
                let got = receiver.received
                #expect(Set(got.compactMap(\.type)) == ["sim.status_changed", "rule.triggered"])
                #expect(got.allSatisfy { SignatureCheck.verifies($0, secret: secret) })

                // Still roaming the same day: re-armed only tomorrow, so nothing more fires.
                try await app.request(.post, "/v1/sims/\(sims[0])/activate", key: key, json: ["force": true])
                try await RADIUSAccountingTests.send(app, [
                    RADIUSAccountingTests.accounting(.interimUpdate, session: "trip", imsi: imsi, input: 1_000, output: 10_000, identifier: 4, mccMNC: "26201"),
                    RADIUSAccountingTests.accounting(.interimUpdate, session: "trip", imsi: imsi, input: 1_100, output: 11_000, identifier: 5, mccMNC: "20801"),
                ])
                try await app.settle()
                #expect(try await Self.firings(app, key: key).count == 1)
            }
        }
    }

    @Test("a data rule fires once per window, and again in the next window", arguments: TestEngine.available)
    func usagePerWindow(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
            _ = try await Self.rule(app, key: key, [
                "name": "Over 1 MB a day", "trigger": ["type": "usage_over", "limit_bytes": 1_000_000, "window": "day"],
                "actions": [["type": "set_offline"]], "rearm": ["type": "immediately"],
            ])
            func use(_ id: String, _ bytes: Int) async throws {
                let now = RFC3339Text.format(app.clock.now())
                let reply = try await app.request(.post, "/v1/usage_records", key: key, json: ["records": [
                    ["id": id, "sim": sim, "started_at": now, "ended_at": now, "bytes_up": 0, "bytes_down": bytes, "mcc_mnc": "26201"],
                ]])
                try #require(reply.status < 300, "\(reply.text)")
                try await app.settle()
            }
            try await use("a", 600_000)
            #expect(try await Self.firings(app, key: key).isEmpty)
            try await use("b", 600_000)
            try await use("c", 600_000)
            #expect(try await Self.firings(app, key: key).count == 1, "once in the day, however much more is used")
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: key)["status"] == "OFFLINE")
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key, json: ["force": true])
            app.clock.advance(by: 86_400)
            try await use("d", 999_999)
            #expect(try await Self.firings(app, key: key).count == 1)
            try await use("e", 1)
            let firings = try await Self.firings(app, key: key)
            #expect(firings.count == 2, "a new day is a new window")
            #expect((firings.last?["matched"] as? [String: Any])?["used_bytes"] as? String == "1000000")
        }
    }

    @Test("48 hours after first use, set OFFLINE: the delay is a durable job", arguments: TestEngine.available)
    func delayedAction(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
            let rule = try await Self.rule(app, key: key, [
                "name": "Trial ends", "trigger": ["type": "first_use"],
                "actions": [["type": "set_offline", "delay_seconds": 172_800]], "rearm": ["type": "never"],
            ])
            let now = RFC3339Text.format(app.clock.now())
            _ = try await app.request(.post, "/v1/usage_records", key: key, json: ["records": [
                ["id": "first", "sim": sim, "started_at": now, "ended_at": now, "bytes_up": 10, "bytes_down": 10],
            ]])
            try await app.settle()
            let firing = try #require(try await Self.firings(app, key: key).first)
            #expect(((firing["actions"] as? [[String: Any]])?.first)?["outcome"] as? String == "scheduled")
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: key)["status"] == "LIVE")
            app.clock.advance(by: 172_799)
            try await app.settle()
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: key)["status"] == "LIVE")
            app.clock.advance(by: 2)
            try await app.settle()
            let after = try await app.request(.get, "/v1/sims/\(sim)", key: key)
            #expect(after["status"] == "OFFLINE")
            #expect((after.json["holds"] as? [[String: Any]])?.first?["cause"] as? String == "rule:\(rule)")
            #expect(try await app.request(.get, "/v1/events?type=rule.action_ran", key: key).items.count == 1)

            // Dry run: the rule would have fired on the first-use event.
            let test = try await app.request(.post, "/v1/rules/\(rule)/test", key: key, json: ["sim": sim])
            #expect(test.status == 200)
            let would = test.json["would_fire"] as? [[String: Any]] ?? []
            #expect(would.count == 1 && would.first?["event"] is String)
            let byICCID = try await app.request(.post, "/v1/rules/\(rule)/test", key: key, json: ["sim": Fixtures.iccid(0)])
            #expect((byICCID.json["would_fire"] as? [[String: Any]])?.count == 1, "a SIM may be named by its ICCID: \(byICCID.text)")
            let draft = try await app.request(.post, "/v1/rules/test", key: key, json: [
                "sim": sim, "trigger": ["type": "country_not_in", "countries": ["FR"]], "actions": [["type": "set_offline"]],
            ])
            #expect((draft.json["would_fire"] as? [[String: Any]])?.isEmpty == true, "never seen abroad: \(draft.text)")
        }
    }

    /// A delayed action was frozen into its job when the rule fired: an edit that took the action
    /// out, or the SIM out of scope, did not stop it, and the SIM went OFFLINE all the same.
    @Test("a delayed action runs only if the rule, as it is when the time comes, still has it for that SIM", arguments: TestEngine.available)
    func delayedActionFollowsEdits(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sims = try await app.importSims(0..<3, account: account)
            for sim in sims { _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key) }
            let delayed: [[String: Any]] = [["type": "set_offline", "delay_seconds": 60]]
            let scoped = try await Self.rule(app, key: key, [
                "name": "Trial ends", "trigger": ["type": "first_use"], "scope": ["type": "sims", "sims": [sims[0], sims[1]]], "actions": delayed, "rearm": ["type": "never"],
            ])
            let edited = try await Self.rule(app, key: key, [
                "name": "Trial ends too", "trigger": ["type": "first_use"], "scope": ["type": "sims", "sims": [sims[2]]], "actions": delayed, "rearm": ["type": "never"],
            ])
            let now = RFC3339Text.format(app.clock.now())
            _ = try await app.request(.post, "/v1/usage_records", key: key, json: ["records": sims.enumerated().map { index, sim in
                ["id": "first-\(index)", "sim": sim, "started_at": now, "ended_at": now, "bytes_up": 10, "bytes_down": 10] as [String: Any]
            }])
            try await app.settle()
            #expect(try await Self.firings(app, key: key).count == 3)
            // SIM 0 leaves the first rule's scope; the second rule loses its delayed action.
            #expect(try await app.request(.post, "/v1/rules/\(scoped)", key: key, json: ["scope": ["type": "sims", "sims": [sims[1]]]]).status == 200)
            #expect(try await app.request(.post, "/v1/rules/\(edited)", key: key, json: ["actions": [["type": "lift_hold"]]]).status == 200)
            app.clock.advance(by: 61)
            try await app.settle()
            var statuses: [String?] = []
            for sim in sims { statuses.append(try await app.request(.get, "/v1/sims/\(sim)", key: key)["status"]) }
            #expect(statuses == ["LIVE", "OFFLINE", "LIVE"])
            let ran = try await app.request(.get, "/v1/events?type=rule.action_ran&limit=10", key: key).items.compactMap { event -> (String?, String?)? in
                let object = (event["data"] as? [String: Any])?["object"] as? [String: Any]
                let action = (object?["actions"] as? [[String: Any]])?.first
                return (action?["outcome"] as? String, action?["detail"] as? String)
            }
            #expect(ran.compactMap(\.0).sorted() == ["done", "skipped", "skipped"], "\(ran)")
            #expect(Set(ran.compactMap(\.1)).isSuperset(of: ["The SIM is no longer in the rule's scope.", "The rule no longer has this action."]), "\(ran)")
        }
    }

    @Test("bad rules get clear errors naming the field; another account's endpoint or SIM is refused", arguments: [TestEngine.sqlite])
    func badRules(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (_, key) = try await app.makeCustomer("E-Bikes")
            let (otherAccount, otherKey) = try await app.makeCustomer("Scooters")
            let (foreign, _) = try await WebhookDeliveryTests.endpoint(app, key: otherKey, url: "http://127.0.0.1:9/hook")
            let foreignSim = try #require(try await app.importSims(5..<6, account: otherAccount).first)
            let base: [String: Any] = ["name": "r", "trigger": ["type": "first_use"], "actions": [["type": "set_offline"]]]
            func refused(_ change: [String: Any]) async throws -> TestReply {
                try await app.request(.post, "/v1/rules", key: key, json: base.merging(change) { $1 })
            }
            let cases: [([String: Any], String, String)] = [
                (["trigger": ["type": "moon_phase"]], "invalid_trigger", "trigger.type"),
                (["trigger": ["type": "usage_over", "limit_bytes": -1, "window": "day"]], "value_out_of_range", "trigger.limit_bytes"),
                (["trigger": ["type": "usage_over", "limit_bytes": 5, "window": "week"]], "invalid_value", "trigger.window"),
                (["actions": []], "empty_actions", "actions"),
                (["trigger": ["type": "country_not_in", "countries": ["DE", "XX"]]], "invalid_country", "trigger.countries[1]"),
                (["trigger": ["type": "country_not_in", "countries": ["de"]]], "invalid_country", "trigger.countries[0]"),
                (["actions": [["type": "webhook", "endpoint": foreign]]], "invalid_endpoint", "actions[0].endpoint"),
                (["actions": [["type": "webhook", "endpoint": "http://example.com"]]], "invalid_id", "actions[0].endpoint"),
                (["actions": [["type": "explode"]]], "invalid_action", "actions[0].type"),
                (["actions": [["type": "set_offline", "delay_seconds": -5]]], "value_out_of_range", "actions[0].delay_seconds"),
                (["scope": ["type": "sims", "sims": [foreignSim]]], "invalid_sim", "scope.sims"),
                (["rearm": ["type": "after", "seconds": 0]], "value_out_of_range", "rearm.seconds"),
                (["trigger": ["type": "first_use", "countries": ["DE"]]], "unknown_parameter", "trigger.countries"),
                // A field of another type was dropped unseen: a scope of all SIMs with a list
                // of one watched the whole fleet.
                (["scope": ["type": "all", "sims": ["sim_01M959SSS60DGAABPW9HX6T9AB"]]], "unknown_parameter", "scope.sims"),
                (["scope": ["type": "label", "label": "x", "sims": ["sim_01M959SSS60DGAABPW9HX6T9AB"]]], "unknown_parameter", "scope.sims"),
                (["conditions": ["clauses": [["type": "country_in", "countries": ["DE"], "label": "vip"]]]], "unknown_parameter", "conditions.clauses[0].label"),
                (["rearm": ["type": "never", "seconds": 5]], "unknown_parameter", "rearm.seconds"),
                (["conditions": ["match": "most"]], "invalid_value", "conditions.match"),
                (["bogus": 1], "unknown_parameter", "bogus"),
                // Lists given twice were made sets unseen, against the schema's uniqueItems; a
                // change from a status to itself, which never happens, was stored.
                (["trigger": ["type": "country_not_in", "countries": ["DE", "AT", "DE"]]], "duplicate_value", "trigger.countries[2]"),
                (["trigger": ["type": "session_opened", "networks": ["20801", "20801"]]], "duplicate_value", "trigger.networks[1]"),
                (["trigger": ["type": "status_changed", "from": "LIVE", "to": "LIVE"]], "invalid_value", "trigger.to"),
            ]
            for (change, code, param) in cases {
                let reply = try await refused(change)
                #expect(reply.status == 400 && reply.code == code && reply.param == param, "\(change): \(reply.text)")
            }
            #expect(try await app.request(.get, "/v1/rules", key: key).items.isEmpty, "nothing was stored")
            // A draft is checked as a rule to be created is: it was tested as if it could be stored.
            for (change, param) in [(["scope": ["type": "sims", "sims": [foreignSim]]], "scope.sims"), (["actions": [["type": "webhook", "endpoint": foreign]]], "actions[0].endpoint")] {
                let draft = try await app.request(.post, "/v1/rules/test", key: key, json: base.merging(change) { $1 }.merging(["sim": foreignSim]) { $1 })
                #expect(draft.status == 400 && draft.param == param, "\(draft.text)")
            }
            // A draft missing its trigger or its actions names which (it named neither).
            let ownSim = try #require(try await app.importSims(6..<7, account: try #require(try await app.request(.get, "/v1/accounts", key: key).items.first?["id"] as? String)).first)
            for missing in ["trigger", "actions"] {
                var draft = base.merging(["sim": ownSim]) { $1 }
                draft[missing] = nil
                let reply = try await app.request(.post, "/v1/rules/test", key: key, json: draft)
                #expect(reply.status == 400 && reply.code == "parameter_missing" && reply.param == missing, "\(reply.text)")
            }
            // A metadata key with a control character is told so (it was said to be too long).
            let keyed = try await app.request(.post, "/v1/sims/\(ownSim)", key: key, json: ["metadata": ["a\u{10}b": "y"]])
            #expect(keyed.code == "invalid_metadata" && keyed.text.contains("control characters") && keyed.text.contains("\\\\u{10}"), "\(keyed.text)")
            let rule = try await Self.rule(app, key: key, base)
            #expect(try await app.request(.get, "/v1/rules/\(rule)", key: otherKey).status == 404)
            #expect(try await app.request(.post, "/v1/rules/\(rule)", key: otherKey, json: ["enabled": false]).status == 404)
            let off = try await app.request(.post, "/v1/rules/\(rule)", key: key, json: ["enabled": false])
            #expect(off.json["enabled"] as? Bool == false)
            #expect(try await app.request(.delete, "/v1/rules/\(rule)", key: key).status == 200)

            // A rule whose endpoint was deleted since can still be turned off or renamed: every
            // change was refused for the endpoint the request did not name.
            let (own, _) = try await WebhookDeliveryTests.endpoint(app, key: key, url: "http://127.0.0.1:9/hook")
            let calling = try await Self.rule(app, key: key, base.merging(["actions": [["type": "webhook", "endpoint": own]]]) { $1 })
            #expect(try await app.request(.delete, "/v1/webhook_endpoints/\(own)", key: key).status == 200)
            let renamed = try await app.request(.post, "/v1/rules/\(calling)", key: key, json: ["enabled": false, "name": "calls no one"])
            #expect(renamed.status == 200 && renamed.json["enabled"] as? Bool == false && renamed["name"] == "calls no one", "\(renamed.text)")
            let stillNamed = try await app.request(.post, "/v1/rules/\(calling)", key: key, json: ["actions": [["type": "set_offline"], ["type": "webhook", "endpoint": own]]])
            #expect(stillNamed.status == 400 && stillNamed.code == "invalid_endpoint" && stillNamed.param == "actions[1].endpoint", "actions given are checked: \(stillNamed.text)")
        }
    }
}
