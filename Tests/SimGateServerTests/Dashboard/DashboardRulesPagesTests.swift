import Foundation
import SimGateCore
import SimGateTestSupport
import Testing

@Suite("Dashboard rule pages")
struct DashboardRulesPagesTests {
    /// The path a 303 sends the browser to.
    static func location(_ reply: TestReply) -> String { reply.headers[.location] ?? "" }

    /// The fields of a roaming rule as a person fills the form: outside DE and AT, set OFFLINE and notify `endpoint`.
    static func roamingForm(csrf: String, endpoint: String?, countries: String = "de, AT") -> [String: String] {
        var form = [
            "csrf": csrf, "name": "Bike left <its> countries", "enabled": "on", "trigger": "country_not_in", "countries": countries,
            "limit_unit": "MB", "window": "day", "scope": "all", "match": "all", "action_suspend": "on", "rearm": "next_day",
        ]
        if let endpoint { form["action_webhook"] = endpoint }
        return form
    }

    @Test("a roaming rule made with the form is the rule the API shows; it fires, and its page says when and for which SIM; a dry run finds the firing", arguments: TestEngine.available)
    func roamingRuleThroughTheForm(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let (endpoint, _) = try await WebhookDeliveryTests.endpoint(app, key: key, url: "http://127.0.0.1:9/hook")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
            let cookie = try await app.signIn(key: key)

            let list = try await app.browser(.get, "/rules", cookie: cookie)
            #expect(list.status == 200 && list.text.contains("No rule yet."))
            for id in ["rule-name", "rule-trigger", "rule-countries", "rule-action-suspend", "rule-save", "rule-action-webhook-\(endpoint)"] {
                #expect(list.text.contains(#"id="\#(id)""#), "\(id)")
            }
            #expect(list.text.contains("Device outside its deployment countries"), "each trigger is explained")
            for trigger in RuleTrigger.typeNames {
                #expect(list.text.contains(#"<option value="\#(trigger)""#), "the form offers every trigger the API takes: \(trigger)")
            }
            let csrf = try #require(list.csrf)
            let created = try await app.browser(.post, "/rules", cookie: cookie, form: Self.roamingForm(csrf: csrf, endpoint: endpoint))
            #expect(created.status == 303, "\(created.text)")
            let path = Self.location(created)
            #expect(path.hasPrefix("/rules/rule_") && path.hasSuffix("?notice=rule-created"))

            let rules = try await app.request(.get, "/v1/rules", key: key).items
            try #require(rules.count == 1)
            let rule = rules[0]
            #expect(rule["name"] as? String == "Bike left <its> countries" && rule["enabled"] as? Bool == true)
            let trigger = rule["trigger"] as? [String: Any]
            #expect(trigger?["type"] as? String == "country_not_in" && trigger?["countries"] as? [String] == ["AT", "DE"])
            let actions = (rule["actions"] as? [[String: Any]] ?? []).map { "\($0["type"] ?? "")\($0["endpoint"].map { " \($0)" } ?? "")" }
            #expect(actions == ["set_offline", "webhook \(endpoint)"])
            #expect((rule["rearm"] as? [String: Any])?["type"] as? String == "next_day")
            #expect((rule["scope"] as? [String: Any])?["type"] as? String == "all")
            let ruleID = try #require(rule["id"] as? String)
            #expect(path.hasPrefix("/rules/\(ruleID)"))

            let page = try await app.browser(.get, path, cookie: cookie)
            #expect(page.status == 200 && page.text.contains("The rule was created."))
            #expect(page.text.contains("Bike left &lt;its&gt; countries") && !page.text.contains("<its>"), "names are escaped")
            #expect(page.text.contains("not in AT, DE") && page.text.contains("It has not fired yet."))
            #expect(!page.text.contains("cannot show exactly"), "a rule made with the form is shown exactly")

            // Seen in France: the rule fires; its page says when, and for which SIM.
            let now = RFC3339Text.format(app.clock.now())
            let usage = try await app.request(.post, "/v1/usage_records", key: key, json: ["records": [
                ["id": "trip", "sim": sim, "started_at": now, "ended_at": now, "bytes_up": 10, "bytes_down": 10, "mcc_mnc": "20801"],
            ]])
            try #require(usage.status < 300, "\(usage.text)")
            try await app.settle()
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: key)["status"] == "OFFLINE")
            let fired = try await app.browser(.get, "/rules/\(ruleID)", cookie: cookie)
            #expect(fired.text.contains("Last fired <time>") && fired.text.contains(#"<a href="/sims/\#(sim)"><code>\#(sim)</code></a>"#))
            #expect(!(try await app.browser(.get, "/rules", cookie: cookie).text.contains(">never<")), "the list shows when it last fired")

            // A dry run against the SIM (by ICCID) finds the firing; an unknown SIM is said so.
            let test = try await app.browser(.post, "/rules/\(ruleID)/test", cookie: cookie, form: ["csrf": csrf, "sim": Fixtures.iccid(0)])
            #expect(test.status == 200, "\(test.text)")
            #expect(test.text.contains("the rule would have fired 1 time(s)") && test.text.contains("country FR"), "\(test.text)")
            let unknown = try await app.browser(.post, "/rules/\(ruleID)/test", cookie: cookie, form: ["csrf": csrf, "sim": Fixtures.iccid(9)])
            #expect(unknown.status == 422 && unknown.text.contains(#"role="alert" id="rule-test-error">No such SIM."#))
        }
    }

    @Test("a refused form comes back with 422, the reader's message on its field and everything as typed", arguments: TestEngine.available)
    func refusedFormKeepsWhatWasTyped(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (_, key) = try await app.makeCustomer("E-Bikes")
            let cookie = try await app.signIn(key: key)
            let csrf = try #require(try await app.browser(.get, "/rules/new", cookie: cookie).csrf)

            let badCountry = try await app.browser(.post, "/rules", cookie: cookie, form: Self.roamingForm(csrf: csrf, endpoint: nil, countries: "DE, XX"))
            #expect(badCountry.status == 422)
            #expect(badCountry.text.contains("&#39;trigger.countries[1]&#39; must be an ISO 3166-1 alpha-2 country code") || badCountry.text.contains("'trigger.countries[1]' must be an ISO 3166-1"), "\(badCountry.text)")
            #expect(badCountry.text.contains(#"role="alert""#) && badCountry.text.contains(##"href="#rule-countries""##))
            #expect(badCountry.text.contains(#"name="countries" value="DE, XX""#), "the typed countries stay")
            #expect(badCountry.text.contains(#"value="Bike left &lt;its&gt; countries""#), "the typed name stays")
            #expect(badCountry.text.contains(#"id="rule-action-suspend" name="action_suspend" checked"#), "the ticked action stays")
            #expect(badCountry.text.contains(#"<option value="next_day" selected>"#))

            var noAction = Self.roamingForm(csrf: csrf, endpoint: nil)
            noAction["action_suspend"] = nil
            let refused = try await app.browser(.post, "/rules", cookie: cookie, form: noAction)
            #expect(refused.status == 422 && refused.text.contains("actions"))
            var badLimit = Self.roamingForm(csrf: csrf, endpoint: nil)
            badLimit["trigger"] = "usage_over"
            badLimit["limit"] = "lots"
            let limit = try await app.browser(.post, "/rules", cookie: cookie, form: badLimit)
            #expect(limit.status == 422 && limit.text.contains("trigger.limit_bytes") && limit.text.contains(#"value="lots""#))
            #expect(try await app.request(.get, "/v1/rules", key: key).items.isEmpty, "nothing was stored")
        }
    }

    @Test("a rule is edited and deleted through its page; a data limit in MB is stored in bytes and shown back in MB", arguments: TestEngine.available)
    func editAndDelete(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (_, key) = try await app.makeCustomer("E-Bikes")
            let rule = try await RuleTests.rule(app, key: key, [
                "name": "Roaming", "trigger": ["type": "country_not_in", "countries": ["DE"]], "actions": [["type": "set_offline"]],
            ])
            let cookie = try await app.signIn(key: key)
            let page = try await app.browser(.get, "/rules/\(rule)", cookie: cookie)
            #expect(page.status == 200 && page.text.contains(#"name="countries" value="DE""#))
            let csrf = try #require(page.csrf)
            let saved = try await app.browser(.post, "/rules/\(rule)", cookie: cookie, form: [
                "csrf": csrf, "name": "Heavy user", "trigger": "usage_over", "limit": "5", "limit_unit": "MB", "window": "month", "scope": "label",
                "scope_label": "berlin", "match": "all", "action_suspend": "on", "suspend_delay": "2", "suspend_delay_unit": "hours", "rearm": "after",
                "rearm_after": "3", "rearm_after_unit": "days",
            ])
            #expect(saved.status == 303 && Self.location(saved) == "/rules/\(rule)?notice=rule-saved", "\(saved.text)")
            let stored = try await app.request(.get, "/v1/rules/\(rule)", key: key)
            #expect(stored["name"] == "Heavy user" && stored.json["enabled"] as? Bool == false, "an unticked box disables")
            let trigger = stored.json["trigger"] as? [String: Any]
            #expect(trigger?["limit_bytes"] as? Int == 5 * 1_048_576 && trigger?["window"] as? String == "month")
            #expect((stored.json["actions"] as? [[String: Any]])?.first?["delay_seconds"] as? Int == 7_200)
            #expect((stored.json["rearm"] as? [String: Any])?["seconds"] as? Int == 259_200)
            #expect((stored.json["scope"] as? [String: Any])?["label"] as? String == "berlin")
            let shown = try await app.browser(.get, Self.location(saved), cookie: cookie)
            #expect(shown.text.contains("The rule was saved."))
            #expect(shown.text.contains(#"name="limit" value="5""#) && shown.text.contains(#"name="suspend_delay" value="2""#))
            #expect(shown.text.contains("set the SIM OFFLINE after 2 h") && shown.text.contains("SIMs labelled berlin"))

            // A unit the form does not offer was taken for bytes: `1 XB` became a one-byte limit.
            let oddUnit = try await app.browser(.post, "/rules/\(rule)", cookie: cookie, form: [
                "csrf": csrf, "name": "Heavy user", "trigger": "usage_over", "limit": "1", "limit_unit": "XB", "window": "month", "scope": "all",
                "match": "all", "action_suspend": "on", "rearm": "immediately",
            ])
            #expect(oddUnit.status == 422, "\(oddUnit.status)")
            #expect((try await app.request(.get, "/v1/rules/\(rule)", key: key).json["trigger"] as? [String: Any])?["limit_bytes"] as? Int == 5 * 1_048_576)

            let badEdit = try await app.browser(.post, "/rules/\(rule)", cookie: cookie, form: ["csrf": csrf, "name": " ", "trigger": "first_use", "action_suspend": "on"])
            #expect(badEdit.status == 422 && badEdit.text.contains(##"href="#rule-name""##))
            #expect(try await app.request(.get, "/v1/rules/\(rule)", key: key)["name"] == "Heavy user")

            let deleted = try await app.browser(.post, "/rules/\(rule)/delete", cookie: cookie, form: ["csrf": csrf])
            #expect(deleted.status == 303 && Self.location(deleted) == "/rules?notice=rule-deleted")
            #expect(try await app.request(.get, "/v1/rules/\(rule)", key: key).status == 404)
            #expect(try await app.browser(.get, "/rules/\(rule)", cookie: cookie).status == 404)
            #expect(try await app.browser(.get, "/rules?notice=rule-deleted", cookie: cookie).text.contains("The rule was deleted."))
        }
    }

    @Test("a read-only key sees rules without forms, may dry-run but not change; another account's rule is 404; a form without its token is 403", arguments: TestEngine.available)
    func readOnlyIsolationAndTokens(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let (_, otherKey) = try await app.makeCustomer("Scooters")
            try await app.importSims(0..<1, account: account)
            let rule = try await RuleTests.rule(app, key: key, ["name": "Trial", "trigger": ["type": "first_use"], "actions": [["type": "set_offline"]]])
            let foreign = try await RuleTests.rule(app, key: otherKey, ["name": "Theirs", "trigger": ["type": "first_use"], "actions": [["type": "set_offline"]]])
            let readOnly = try #require(try await app.request(.post, "/v1/api_keys", key: key, json: ["name": "desk", "scope": "read_only"])["secret"])

            let viewer = try await app.signIn(key: readOnly)
            let list = try await app.browser(.get, "/rules", cookie: viewer)
            #expect(list.status == 200 && list.text.contains("Trial") && !list.text.contains("Theirs"))
            #expect(!list.text.contains("rule-save"), "no form to create")
            let page = try await app.browser(.get, "/rules/\(rule)", cookie: viewer)
            #expect(page.status == 200 && !page.text.contains("rule-save") && !page.text.contains("rule-delete"))
            let csrf = try #require(page.csrf)
            let write = try await app.browser(.post, "/rules/\(rule)/delete", cookie: viewer, form: ["csrf": csrf])
            #expect(write.status == 403 && write.text.contains("read-only"))
            let create = try await app.browser(.post, "/rules", cookie: viewer, form: Self.roamingForm(csrf: csrf, endpoint: nil))
            #expect(create.status == 403)
            let dryRun = try await app.browser(.post, "/rules/\(rule)/test", cookie: viewer, form: ["csrf": csrf, "sim": Fixtures.iccid(0)])
            #expect(dryRun.status == 200 && dryRun.text.contains("the rule would not have fired"), "a dry run changes nothing, so a read-only key may run it")
            #expect(try await app.request(.get, "/v1/rules/\(rule)", key: key).status == 200)

            let cookie = try await app.signIn(key: key)
            #expect(try await app.browser(.get, "/rules/\(foreign)", cookie: cookie).status == 404)
            #expect(try await app.browser(.get, "/rules/rule_nonsense", cookie: cookie).status == 404)
            let ownCSRF = try #require(try await app.browser(.get, "/rules", cookie: cookie).csrf)
            #expect(try await app.browser(.post, "/rules/\(foreign)", cookie: cookie, form: Self.roamingForm(csrf: ownCSRF, endpoint: nil)).status == 404)
            #expect(try await app.browser(.post, "/rules/\(foreign)/delete", cookie: cookie, form: ["csrf": ownCSRF]).status == 404)
            #expect(try await app.browser(.post, "/rules/\(foreign)/test", cookie: cookie, form: ["csrf": ownCSRF, "sim": Fixtures.iccid(0)]).status == 404)
            #expect(try await app.request(.get, "/v1/rules/\(foreign)", key: otherKey).status == 200, "the other account's rule is untouched")

            var noToken = Self.roamingForm(csrf: ownCSRF, endpoint: nil)
            noToken["csrf"] = nil
            #expect(try await app.browser(.post, "/rules", cookie: cookie, form: noToken).status == 403)
            #expect(try await app.browser(.post, "/rules/\(rule)/delete", cookie: cookie, form: [:]).status == 403)
            #expect(try await app.request(.get, "/v1/rules", key: key).items.count == 1)
        }
    }

    @Test("the operator sees every account's rules and creates one for a customer; a rule the form cannot show exactly says so", arguments: [TestEngine.sqlite])
    func operatorAndApproximateRules(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let approximate = try await RuleTests.rule(app, key: key, [
                "name": "Two conditions", "trigger": ["type": "first_use"], "actions": [["type": "set_offline"]],
                "conditions": ["match": "any", "clauses": [["type": "country_in", "countries": ["DE"]], ["type": "country_in", "countries": ["AT"]]]],
            ])
            let cookie = try await app.signIn(key: app.operatorKey)
            let list = try await app.browser(.get, "/rules", cookie: cookie)
            #expect(list.text.contains("Two conditions") && list.text.contains(account), "the operator sees the customer's rule and its account")
            #expect(list.text.contains(#"id="rule-account""#))
            let csrf = try #require(list.csrf)
            var form = Self.roamingForm(csrf: csrf, endpoint: nil)
            form["account"] = account
            let created = try await app.browser(.post, "/rules", cookie: cookie, form: form)
            #expect(created.status == 303, "\(created.text)")
            let rules = try await app.request(.get, "/v1/rules", key: key).items
            #expect(rules.count == 2 && rules.allSatisfy { $0["account"] as? String == account })
            form["account"] = "acct_nobody"
            let nobody = try await app.browser(.post, "/rules", cookie: cookie, form: form)
            #expect(nobody.status == 422 && nobody.text.contains(##"href="#rule-account""##), "\(nobody.text)")

            let page = try await app.browser(.get, "/rules/\(approximate)", cookie: cookie)
            #expect(page.text.contains("cannot show exactly") && page.text.contains("in DE or in AT"))
        }
    }
}
