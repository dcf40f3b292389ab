import Foundation
import SimGateTestSupport
import Testing

@Suite("Dashboard webhook pages", .timeLimit(.minutes(2)))
struct DashboardEndpointsPagesTests {
    /// The value of the input `id` on the page.
    static func inputValue(_ reply: TestReply, id: String) -> String? {
        guard let range = reply.text.range(of: #"id="\#(id)" value=""#) else { return nil }
        return String(reply.text[range.upperBound...].prefix { $0 != "\"" })
    }

    /// Sends what is due; an attempt that failed below HTTP on a loaded machine is retried
    /// after 5 s, so the clock is moved on until `endpoint` has `count` succeeded deliveries.
    static func deliver(_ app: TestHarness, key: String, endpoint: String, untilSucceeded count: Int) async throws {
        try await app.deliverWebhooks()
        for _ in 0..<3 where try await app.request(.get, "/v1/webhook_endpoints/\(endpoint)/deliveries?state=succeeded", key: key).items.count < count {
            app.clock.advance(by: 10)
            try await app.deliverWebhooks()
        }
    }

    @Test("an endpoint made with the form shows its secret once; a failed delivery is in the log with its attempts, and replay sends it again with the same webhook-id", arguments: TestEngine.available)
    func createFailReplay(engine: TestEngine) async throws {
        try await WebhookReceiver.serving { receiver in
            try await TestHarness.run(engine) { app in
                let (account, key) = try await app.makeCustomer("E-Bikes")
                let cookie = try await app.signIn(key: key)
                let list = try await app.browser(.get, "/endpoints", cookie: cookie)
                #expect(list.status == 200 && list.text.contains("No endpoint yet."))
                let csrf = try #require(list.csrf)

                let created = try await app.browser(.post, "/endpoints", cookie: cookie, form: [
                    "csrf": csrf, "url": receiver.url, "event_types": "sim.status_changed", "description": "Support <desk>", "max_concurrency": "5",
                ])
                #expect(created.status == 201, "\(created.text)")
                let secret = try #require(Self.inputValue(created, id: "endpoint-secret"))
                #expect(secret.hasPrefix("whsec_") && created.text.contains("shown this once"))
                let endpoints = try await app.request(.get, "/v1/webhook_endpoints", key: key).items
                try #require(endpoints.count == 1)
                let endpoint = try #require(endpoints[0]["id"] as? String)
                #expect(endpoints[0]["event_types"] as? [String] == ["sim.status_changed"] && endpoints[0]["description"] as? String == "Support <desk>")
                let page = try await app.browser(.get, "/endpoints/\(endpoint)", cookie: cookie)
                #expect(page.status == 200 && page.text.contains("Support &lt;desk&gt;"))
                #expect(!page.text.contains(secret) && !page.text.contains("whsec_"), "the secret is never shown again")
                #expect(!(try await app.browser(.get, "/endpoints", cookie: cookie).text.contains("whsec_")))

                // 410 Gone: the delivery fails and the endpoint is disabled, with its reason.
                receiver.script([.status(410)])
                let sims = try await app.importSims(0..<2, account: account)
                _ = try await app.request(.post, "/v1/sims/\(sims[0])/activate", key: key)
                try await app.deliverWebhooks()
                let disabled = try await app.browser(.get, "/endpoints", cookie: cookie)
                #expect(disabled.text.contains("status-offline\">disabled") && disabled.text.contains("410"), "\(disabled.text)")
                let failedLog = try await app.browser(.get, "/endpoints/\(endpoint)?state=failed", cookie: cookie)
                #expect(failedLog.text.contains("sim.status_changed") && failedLog.text.contains(#"<option value="failed" selected>"#))
                #expect(try await app.browser(.get, "/endpoints/\(endpoint)?state=succeeded", cookie: cookie).text.contains("No delivery."))
                let delivery = try #require(try await app.request(.get, "/v1/webhook_endpoints/\(endpoint)/deliveries", key: key).items.first?["id"] as? String)
                let detail = try await app.browser(.get, "/endpoints/\(endpoint)/deliveries/\(delivery)", cookie: cookie)
                #expect(detail.status == 200 && detail.text.contains("<td>410</td>") && detail.text.contains("answer 410"), "\(detail.text)")

                let enabled = try await app.browser(.post, "/endpoints/\(endpoint)/status", cookie: cookie, form: ["csrf": csrf, "status": "enabled"])
                #expect(enabled.status == 303 && enabled.headers[.location] == "/endpoints/\(endpoint)?notice=endpoint-enabled")
                #expect(try await app.request(.get, "/v1/webhook_endpoints/\(endpoint)", key: key)["status"] == "enabled")

                // Replay one: the same webhook-id arrives again, and signs with the secret shown once.
                let replay = try await app.browser(.post, "/endpoints/\(endpoint)/deliveries/\(delivery)/replay", cookie: cookie, form: ["csrf": csrf])
                #expect(replay.status == 303 && replay.headers[.location] == "/endpoints/\(endpoint)/deliveries/\(delivery)?notice=delivery-replayed")
                try await Self.deliver(app, key: key, endpoint: endpoint, untilSucceeded: 1)
                let sent = receiver.received.filter { $0.type == "sim.status_changed" }
                #expect(sent.count >= 2 && Set(sent.map(\.id)).count == 1, "the replay has the first delivery's webhook-id")
                #expect(sent.last.map { SignatureCheck.verifies($0, secret: secret) } == true)

                // Replay every failed one since a time: a second failure, re-enabled, replayed by time.
                receiver.script([.status(410)])
                _ = try await app.request(.post, "/v1/sims/\(sims[1])/activate", key: key)
                try await app.deliverWebhooks()
                let secondID = try #require(receiver.received.last?.id)
                #expect(!sent.map(\.id).contains(secondID))
                _ = try await app.browser(.post, "/endpoints/\(endpoint)/status", cookie: cookie, form: ["csrf": csrf, "status": "enabled"])
                let future = try await app.browser(.post, "/endpoints/\(endpoint)/replay-failed", cookie: cookie, form: ["csrf": csrf, "since": "2999-01-01T00:00"])
                #expect(future.headers[.location] == "/endpoints/\(endpoint)?notice=replayed-none")
                let nonsense = try await app.browser(.post, "/endpoints/\(endpoint)/replay-failed", cookie: cookie, form: ["csrf": csrf, "since": "yesterday"])
                #expect(nonsense.status == 422 && nonsense.text.contains("is not a time") && nonsense.text.contains(#"value="yesterday""#))
                let all = try await app.browser(.post, "/endpoints/\(endpoint)/replay-failed", cookie: cookie, form: ["csrf": csrf, "since": "2000-01-01T00:00"])
                #expect(all.headers[.location] == "/endpoints/\(endpoint)?notice=replayed")
                let before = receiver.received.count
                try await Self.deliver(app, key: key, endpoint: endpoint, untilSucceeded: 2)
                let again = receiver.received.dropFirst(before).filter { $0.type == "sim.status_changed" }
                #expect(!again.isEmpty && again.allSatisfy { $0.id == secondID }, "only the failed delivery goes again, with its webhook-id")

                // A test message goes to the endpoint alone, whatever it subscribes to.
                let test = try await app.browser(.post, "/endpoints/\(endpoint)/test", cookie: cookie, form: ["csrf": csrf])
                #expect(test.headers[.location] == "/endpoints/\(endpoint)?notice=test-sent")
                try await app.deliverWebhooks()
                #expect(receiver.received.contains { $0.type == "webhook_endpoint.test" })
                let disable = try await app.browser(.post, "/endpoints/\(endpoint)/status", cookie: cookie, form: ["csrf": csrf, "status": "disabled"])
                #expect(disable.headers[.location] == "/endpoints/\(endpoint)?notice=endpoint-disabled")
            }
        }
    }

    @Test("a refused endpoint form is 422 with the API's message and the typed values; a read-only key sees no forms and its posts are 403; another account's endpoint and delivery are 404; a form without its token is 403", arguments: TestEngine.available)
    func refusalsAndIsolation(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (_, key) = try await app.makeCustomer("E-Bikes")
            let (_, otherKey) = try await app.makeCustomer("Scooters")
            let (own, _) = try await WebhookDeliveryTests.endpoint(app, key: key, url: "http://127.0.0.1:9/own")
            let (foreign, _) = try await WebhookDeliveryTests.endpoint(app, key: otherKey, url: "http://127.0.0.1:9/theirs")
            let foreignDelivery = try #require(try await app.request(.post, "/v1/webhook_endpoints/\(foreign)/test", key: otherKey)["id"])
            let ownDelivery = try #require(try await app.request(.post, "/v1/webhook_endpoints/\(own)/test", key: key)["id"])
            let cookie = try await app.signIn(key: key)
            let csrf = try #require(try await app.browser(.get, "/endpoints", cookie: cookie).csrf)

            let badURL = try await app.browser(.post, "/endpoints", cookie: cookie, form: ["csrf": csrf, "url": "ftp://files.example", "event_types": "*"])
            #expect(badURL.status == 422 && badURL.text.contains("must be an absolute http:// or https:// URL") && badURL.text.contains(#"value="ftp://files.example""#))
            let badType = try await app.browser(.post, "/endpoints", cookie: cookie, form: ["csrf": csrf, "url": "https://hooks.example/in", "event_types": "sim.exploded"])
            #expect(badType.status == 422 && badType.text.contains("is not an event type") && badType.text.contains(#"value="sim.exploded""#))
            #expect(try await app.request(.get, "/v1/webhook_endpoints", key: key).items.count == 1)

            let list = try await app.browser(.get, "/endpoints", cookie: cookie)
            #expect(list.text.contains("/own") && !list.text.contains("/theirs"))
            #expect(try await app.browser(.get, "/endpoints/\(foreign)", cookie: cookie).status == 404)
            #expect(try await app.browser(.get, "/endpoints/\(foreign)/deliveries/\(foreignDelivery)", cookie: cookie).status == 404)
            #expect(try await app.browser(.get, "/endpoints/\(own)/deliveries/\(foreignDelivery)", cookie: cookie).status == 404, "another account's delivery under one's own endpoint")
            #expect(try await app.browser(.get, "/endpoints/\(own)/deliveries/\(ownDelivery)", cookie: cookie).status == 200)
            #expect(try await app.browser(.post, "/endpoints/\(foreign)/status", cookie: cookie, form: ["csrf": csrf, "status": "disabled"]).status == 404)
            #expect(try await app.browser(.post, "/endpoints/\(own)/deliveries/\(foreignDelivery)/replay", cookie: cookie, form: ["csrf": csrf]).status == 404)
            #expect(try await app.request(.get, "/v1/webhook_endpoints/\(foreign)", key: otherKey)["status"] == "enabled")
            #expect(try await app.browser(.post, "/endpoints/\(own)/test", cookie: cookie, form: [:]).status == 403)
            #expect(try await app.browser(.post, "/endpoints", cookie: cookie, form: ["url": "https://hooks.example/in", "event_types": "*"]).status == 403)

            let readOnly = try #require(try await app.request(.post, "/v1/api_keys", key: key, json: ["name": "desk", "scope": "read_only"])["secret"])
            let viewer = try await app.signIn(key: readOnly)
            let seen = try await app.browser(.get, "/endpoints/\(own)", cookie: viewer)
            #expect(seen.status == 200 && seen.text.contains("webhook_endpoint.test"))
            for form in ["endpoint-disable", "endpoint-send-test", "endpoint-replay-failed", "Replay</button>"] { #expect(!seen.text.contains(form), "\(form)") }
            #expect(!(try await app.browser(.get, "/endpoints", cookie: viewer).text.contains("endpoint-save")))
            let viewerCSRF = try #require(seen.csrf)
            let refused = try await app.browser(.post, "/endpoints/\(own)/status", cookie: viewer, form: ["csrf": viewerCSRF, "status": "disabled"])
            #expect(refused.status == 403 && refused.text.contains("read-only"))
            #expect(try await app.browser(.post, "/endpoints", cookie: viewer, form: ["csrf": viewerCSRF, "url": "https://hooks.example/in", "event_types": "*"]).status == 403)
            #expect(try await app.request(.get, "/v1/webhook_endpoints/\(own)", key: key)["status"] == "enabled")
        }
    }
}
