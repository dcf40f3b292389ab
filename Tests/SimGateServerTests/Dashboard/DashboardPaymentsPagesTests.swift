import Foundation
import SimGateTestSupport
import Testing

@Suite("Dashboard payments page")
struct DashboardPaymentsPagesTests {
    static let secret = "whsec_dashboard_9c4e7a"
    static let day: TimeInterval = 86_400

    @Test("the payments page shows each gateway's whole webhook URL but never its secret, and each received event with its outcome, the account's own only", arguments: TestEngine.available)
    func gatewaysAndEvents(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let (_, otherKey) = try await app.makeCustomer("Scooters")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "name": "Rider subscriptions", "secrets": [Self.secret]])
            let foreign = try await app.makeGateway(key: otherKey, ["kind": "stripe", "secrets": ["whsec_other_1234"]])
            _ = try await app.request(.post, "/v1/billing_bindings", key: key, json: ["gateway": gateway, "subscription": "sub_bound", "sim": sim])
            let now = app.clock.now()
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_paid", subscription: "sub_bound", periodStart: now, periodEnd: now + 30 * Self.day, created: now), gateway: gateway, secret: Self.secret)
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_stray", subscription: "sub_unknown", periodStart: now, periodEnd: now + 30 * Self.day, created: now), gateway: gateway, secret: Self.secret)
            try await app.sendStripe(StripeEvents.invoicePaid(id: "evt_foreign", subscription: "sub_f", periodStart: now, periodEnd: now + Self.day, created: now), gateway: foreign, secret: "whsec_other_1234")
            try await app.waitForGatewayEvents(key: key)
            let cookie = try await app.signIn(key: key)

            #expect(try await app.browser(.get, "/payments").status == 303, "signed-in only")
            let page = try await app.browser(.get, "/payments", cookie: cookie)
            #expect(page.status == 200, "\(page.text)")
            #expect(page.text.contains("Rider subscriptions"))
            let url = try #require(page.text.range(of: #"http://[^<"]+/webhooks/stripe/gw_[A-Za-z0-9]+"#, options: .regularExpression).map { String(page.text[$0]) })
            #expect(url.hasSuffix("/webhooks/stripe/\(gateway)"), "\(url)")
            #expect(!page.text.contains(Self.secret) && page.text.contains("…" + Self.secret.suffix(4)), "only the API's hint of the secret")
            #expect(!page.text.contains(foreign) && !page.text.contains("evt_foreign"), "another account's gateway and events stay hidden")

            let api = try await app.request(.get, "/v1/gateway_events?limit=10", key: key)
            let outcomes = Dictionary(uniqueKeysWithValues: api.items.compactMap { item in
                (item["external_id"] as? String).map { ($0, item["status"] as? String ?? "") }
            })
            #expect(outcomes == ["evt_paid": "applied", "evt_stray": "unbound"], "\(api.text)")
            for (external, status) in outcomes {
                let row = try #require(page.text.components(separatedBy: "<tr>").first { $0.contains(external) }, "\(external) is listed")
                #expect(row.contains(">\(status)</span>"), "\(row)")
            }
            let unbound = try await app.browser(.get, "/payments?status=unbound", cookie: cookie)
            #expect(unbound.text.contains("evt_stray") && !unbound.text.contains("evt_paid"))

            let proxied = try await app.browser(.get, "/payments", cookie: cookie, headers: ["X-Forwarded-Proto": "https"])
            #expect(proxied.text.range(of: #"https://[^<"]+/webhooks/stripe/"# + gateway, options: .regularExpression) != nil, "behind a TLS proxy the URL is https")

            let operatorCookie = try await app.signIn(key: app.operatorKey)
            let everyone = try await app.browser(.get, "/payments", cookie: operatorCookie)
            #expect(everyone.text.contains(gateway) && everyone.text.contains(foreign) && everyone.text.contains("Scooters") && everyone.text.contains("evt_foreign"))
            #expect(!everyone.text.contains(Self.secret) && !everyone.text.contains("whsec_other_1234"))
        }
    }

    @Test("received gateway events are paged by id, fifty a page, newest first", arguments: [TestEngine.sqlite])
    func eventsArePaged(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (_, key) = try await app.makeCustomer("E-Bikes")
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": [Self.secret]])
            let now = app.clock.now()
            for n in 0..<55 {
                let event = StripeEvents.invoicePaid(id: "evt_n\(n)_", subscription: "sub_\(n)", periodStart: now, periodEnd: now + Self.day, created: now)
                #expect(try await app.sendStripe(event, gateway: gateway, secret: Self.secret).status == 200)
            }
            let cookie = try await app.signIn(key: key)
            let first = try await app.browser(.get, "/payments", cookie: cookie)
            let next = try #require(first.text.range(of: #"href="(/payments\?[^"]*)" rel="next""#, options: .regularExpression).map { String(first.text[$0]) })
            let path = String(next.dropFirst(6).prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
            let second = try await app.browser(.get, path, cookie: cookie)
            let shown = (0..<55).filter { first.text.contains("evt_n\($0)_") }, rest = (0..<55).filter { second.text.contains("evt_n\($0)_") }
            #expect(shown == Array(5..<55) && rest == Array(0..<5), "\(shown) then \(rest)")
            #expect(!second.text.contains(#"rel="next""#))
        }
    }
}
