import Foundation
import SimGateTestSupport
import Testing

@Suite("Dashboard overview")
struct DashboardOverviewTests {
    @Test("the overview shows SIMs by status, holds by cause, usage today and by country, the month's cost and saving, bundles near their end, AOFU shutdowns due and failing endpoints, for the account's own SIMs only", arguments: TestEngine.available)
    func overview(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let (other, otherKey) = try await app.makeCustomer("Scooters")
            let sims = try await app.importSims(0..<3, account: account)
            let theirs = try await app.importSims(3..<4, account: other)
            try await app.pricedTariff(5, accounts: [account, other], price: [
                "currency": "EUR", "monthly_fees": ["LIVE": 900, "OFFLINE": 100], "included_mb": 100, "data_price_per_mb": 2,
            ])
            try await app.pricedTariff(7, kind: "aofu", accounts: [account], price: ["currency": "EUR", "monthly_fees": ["LIVE": 100], "bundle_price": 300])
            app.at(day: 1)
            try await app.provision(sims[0], tariff: 5, key: key)
            try await app.provision(sims[1], tariff: 7, key: key, extra: ["shutdown_threshold_hours": 12, "bundle_size_mb": 1])
            try await app.provision(theirs[0], tariff: 5, key: otherKey)
            _ = try await app.request(.post, "/v1/sims/\(theirs[0])/suspend", key: otherKey, json: ["reason": "theirs"])
            app.at(day: 5)
            _ = try await app.request(.post, "/v1/sims/\(sims[0])/suspend", key: key, json: ["reason": "unpaid"])
            // SIM 1 uses 95% of its 1 MB bundle over RADIUS in Germany: first use starts its 12 hours.
            try await RADIUSAccountingTests.send(app, [
                RADIUSAccountingTests.accounting(.start, session: "o-1", imsi: Fixtures.imsi(1), input: 0, output: 0, identifier: 1),
                RADIUSAccountingTests.accounting(.interimUpdate, session: "o-1", imsi: Fixtures.imsi(1), input: 996_148, output: 0, identifier: 2),
            ])
            let endpoint = try await app.request(.post, "/v1/webhook_endpoints", key: key, json: ["url": "https://hooks.e-bikes.example/simgate", "event_types": ["sim.status_changed"]])
            let endpointID = try #require(endpoint["id"])
            _ = try await app.request(.post, "/v1/webhook_endpoints/\(endpointID)", key: key, json: ["status": "disabled"])
            app.at(day: 10)

            let cookie = try await app.signIn(key: key)
            let page = try await app.browser(.get, "/", cookie: cookie)
            #expect(page.status == 200)
            let text = page.text
            #expect(text.contains(#"<span class="status status-offline">OFFLINE</span></a></td><td class="number">1</td>"#))
            #expect(text.contains(#"<span class="status status-inventory">INVENTORY</span></a></td><td class="number">1</td>"#))
            #expect(text.contains("<tr><td>manual</td><td class=\"number\">1</td></tr>"), "the account's one manual hold, not the other account's")
            #expect(text.contains("972.8 KB this month") && text.contains("<td>DE</td>"), "usage by country")
            #expect(text.contains(#"<h2 id="bundles-heading">Bundles near their end: 1</h2>"#) && text.contains(Fixtures.iccid(1)))
            #expect(text.contains("AOFU shutdowns in the next 24 hours: 0"), "first use was five days ago, so its shutdown has passed")
            #expect(text.contains("hooks.e-bikes.example") && text.contains("(disabled"), "a disabled endpoint is listed")
            #expect(text.contains(#"<dl class="facts" id="cost-so-far">"#) && text.contains("EUR"), "\(text)")
            #expect(text.contains("Held for manual: 1 SIM(s), saved"), "what the manual hold saved")
            #expect(!text.contains(Fixtures.iccid(3)) && !text.contains("theirs"), "nothing of the other account")

            // A shutdown due within the day shows; the figures are those of this moment.
            let fresh = try await app.importSims(4..<5, account: account)
            try await app.provision(fresh[0], tariff: 7, key: key, extra: ["shutdown_threshold_hours": 12, "bundle_size_mb": 100])
            try await RADIUSAccountingTests.send(app, [
                RADIUSAccountingTests.accounting(.start, session: "o-2", imsi: Fixtures.imsi(4), input: 0, output: 0, identifier: 3),
                RADIUSAccountingTests.accounting(.interimUpdate, session: "o-2", imsi: Fixtures.imsi(4), input: 10, output: 0, identifier: 4),
            ])
            let later = try await app.browser(.get, "/", cookie: cookie)
            #expect(later.text.contains("AOFU shutdowns in the next 24 hours: 1") && later.text.contains(Fixtures.iccid(4)))

            // The operator sees every account's holds.
            let operatorCookie = try await app.signIn(key: app.operatorKey)
            let all = try await app.browser(.get, "/", cookie: operatorCookie)
            #expect(all.text.contains("<tr><td>manual</td><td class=\"number\">2</td></tr>"))

            // An account with SIMs but no priced tariff: the cost card said nothing under its heading.
            let (_, unpricedKey) = try await app.makeCustomer("Unpriced")
            let unpriced = try await app.browser(.get, "/", cookie: try await app.signIn(key: unpricedKey))
            #expect(unpriced.text.contains("No priced tariff yet."), "\(unpriced.text)")
        }
    }

    @Test("one customer's usage past the largest byte count leaves the operator's overview whole and says what cannot be shown", arguments: TestEngine.available)
    func usageTooLargeToAdd(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("Absurd")
            let sims = try await app.importSims(0..<2, account: account)
            try await app.pricedTariff(5, accounts: [account], price: ["currency": "EUR", "monthly_fees": ["LIVE": 900], "included_mb": 1, "data_price_per_mb": 2_000_000])
            app.at(day: 1)
            for sim in sims { try await app.provision(sim, tariff: 5, key: key) }
            _ = try await app.request(.post, "/v1/sims/\(sims[0])/suspend", key: key, json: ["reason": "held"])
            app.at(day: 2)
            // Each SIM's total stays within the limit; their sum does not.
            let records = sims.enumerated().map { n, sim -> [String: Any] in
                ["id": "huge-\(n)", "sim": sim, "started_at": "2027-01-02T00:00:00Z", "ended_at": "2027-01-02T00:00:01Z",
                 "bytes_up": 9_223_372_036_854_775_806, "bytes_down": 0]
            }
            let stored = try await app.request(.post, "/v1/usage_records", key: key, json: ["records": records])
            try #require(stored.json["accepted"] as? Int == 2, "\(stored.text)")

            for (viewer, ownAccount) in [(app.operatorKey, false), (key, true)] {
                let page = try await app.browser(.get, "/", cookie: try await app.signIn(key: viewer))
                #expect(page.status == 200)
                let text = page.text
                #expect(!text.contains("Being worked out"), "\(text)")
                #expect(text.contains(#"id="usage-problem""#) && text.contains("too much to show as one figure"), "\(text)")
                #expect(text.contains("<tr><td>manual</td><td class=\"number\">1</td></tr>"), "the other figures are still shown")
                if ownAccount {
                    #expect(text.contains(#"id="cost-problem""#) && !text.contains("No priced tariff yet"), "\(text)")
                }
            }
        }
    }
}
