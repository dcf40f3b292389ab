import Foundation
import HTTPTypes
import SimGateTestSupport
import Testing

@Suite("Dashboard operator pages")
struct DashboardOperatorPagesTests {
    @Test("the operator creates an account and a key whose secret is shown once, then revokes it", arguments: TestEngine.available)
    func accountsAndKeys(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let cookie = try await app.signIn(key: app.operatorKey)
            let home = try await app.browser(.get, "/operator", cookie: cookie)
            #expect(home.status == 200 && home.text.contains("Fleet") && home.text.contains(#"<label for="account-name">"#), "\(home.text)")
            let csrf = try #require(home.csrf)

            let created = try await app.browser(.post, "/operator/accounts", cookie: cookie, form: ["csrf": csrf, "name": "E-Bikes <b>Ltd</b>"])
            #expect(created.status == 303, "\(created.text)")
            let location = try #require(created.headers[.location])
            #expect(location.hasPrefix("/operator/accounts/acct_") && location.hasSuffix("?notice=account-created"))
            let account = String(location.dropFirst("/operator/accounts/".count).prefix { $0 != "?" })
            #expect(try await app.request(.get, "/v1/accounts/\(account)", key: app.operatorKey)["name"] == "E-Bikes <b>Ltd</b>")
            let page = try await app.browser(.get, location, cookie: cookie)
            #expect(page.status == 200 && page.text.contains("E-Bikes &lt;b&gt;Ltd&lt;/b&gt;") && page.text.contains("The account was created."))
            #expect(try await app.browser(.post, "/operator/accounts", cookie: cookie, form: ["csrf": csrf, "name": "  "]).status == 400, "a blank name is refused as the API refuses it")

            let keyPage = try await app.browser(.post, "/operator/accounts/\(account)/keys", cookie: cookie, form: ["csrf": csrf, "name": "support desk", "scope": "read_only"])
            #expect(keyPage.status == 201, "\(keyPage.text)")
            let secret = try #require(keyPage.text.range(of: #"sgk_[A-Za-z0-9_\-]+"#, options: .regularExpression).map { String(keyPage.text[$0]) })
            #expect(keyPage.headers[.cacheControl] == "no-store")
            let keys = try await app.request(.get, "/v1/api_keys?account=\(account)", key: app.operatorKey)
            let key = try #require(keys.items.first { $0["name"] as? String == "support desk" })
            let keyID = try #require(key["id"] as? String)
            #expect(key["scope"] as? String == "read_only")
            #expect(try await app.request(.get, "/v1/sims", key: secret).status == 200, "the shown secret works")

            let later = try await app.browser(.get, "/operator/accounts/\(account)", cookie: cookie)
            let redacted = try #require(key["redacted_secret"] as? String)
            #expect(later.text.contains(keyID) && later.text.contains(redacted))
            #expect(!later.text.contains(secret), "the secret is never shown again")
            #expect(later.text.contains(#"action="/operator/keys/\#(keyID)/revoke""#))

            let revoked = try await app.browser(.post, "/operator/keys/\(keyID)/revoke", cookie: cookie, form: ["csrf": csrf])
            #expect(revoked.status == 303 && revoked.headers[.location] == "/operator/accounts/\(account)?notice=key-revoked")
            let after = try await app.browser(.get, try #require(revoked.headers[.location]), cookie: cookie)
            #expect(after.text.contains("The key was revoked.") && !after.text.contains(#"action="/operator/keys/\#(keyID)/revoke""#))
            #expect(try await app.request(.get, "/v1/sims", key: secret).status == 401)
            #expect(try await app.browser(.get, "/operator/accounts/acct_missing", cookie: cookie).status == 404)
        }
    }

    @Test("a stock import with a bad line names that line and imports nothing; a good one imports every SIM", arguments: TestEngine.available)
    func stockImport(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, _) = try await app.makeCustomer("E-Bikes")
            try await app.importSims(9..<10, account: account)
            let cookie = try await app.signIn(key: app.operatorKey)
            let home = try await app.browser(.get, "/operator", cookie: cookie)
            #expect(home.text.contains(#"<textarea id="import-csv" name="csv""#) && home.text.contains(#"<label for="import-csv">"#))
            #expect(home.text.contains(#"id="import-file""#) && home.text.contains(#"data-fills="import-csv""#))
            let csrf = try #require(home.csrf)
            func row(_ n: Int) -> String { "\(Fixtures.iccid(n)),\(Fixtures.imsi(n)),berlin;cargo" }

            let filler = (20..<27).map(row).joined(separator: "\r\n")
            let bad = "iccid,imsi,labels\r\n\(row(0))\r\n123,\(Fixtures.imsi(1)),berlin\r\n\(row(9))\r\n\(filler)\r\n\(Fixtures.iccid(30)),12,\r\n"
            let refused = try await app.browser(.post, "/operator/import", cookie: cookie, form: ["csrf": csrf, "csv": bad, "account": account])
            #expect(refused.status == 422, "\(refused.text)")
            #expect(refused.text.contains(#"role="alert""#) && refused.text.contains("line 3: iccid") && refused.text.contains("line 4: iccid"), "\(refused.text)")
            #expect(!refused.text.contains("line 2:"), "the good line is not blamed")
            let (third, twelfth) = (try #require(refused.text.range(of: "line 3: iccid")), try #require(refused.text.range(of: "line 12: imsi")))
            #expect(third.lowerBound < twelfth.lowerBound, "problems in the file's order")
            #expect(refused.text.contains(Fixtures.imsi(1)), "the pasted file is back in the box")
            for n in [0, 20] {
                #expect(try await app.request(.get, "/v1/sims?iccid=\(Fixtures.iccid(n))", key: app.operatorKey).items.isEmpty, "nothing imported")
            }

            let header = try await app.browser(.post, "/operator/import", cookie: cookie, form: ["csrf": csrf, "csv": "iccid,imsi,msidsn\r\n\(row(0))\r\n"])
            #expect(header.status == 400 && header.text.contains("msidsn"))

            let good = "iccid,imsi,labels\n\(row(0))\n\(row(1))\n"
            let imported = try await app.browser(.post, "/operator/import", cookie: cookie, form: ["csrf": csrf, "csv": good, "account": account])
            #expect(imported.status == 303 && imported.headers[.location] == "/operator?imported=2#stock-import", "\(imported.text)")
            #expect(try await app.browser(.get, "/operator?imported=2", cookie: cookie).text.contains("Imported 2 SIMs."))
            let sims = try await app.request(.get, "/v1/sims?label=cargo", key: app.operatorKey)
            #expect(Set(sims.items.compactMap { $0["iccid"] as? String }) == [Fixtures.iccid(0), Fixtures.iccid(1)])
            #expect(sims.items.allSatisfy { $0["account"] as? String == account })
            let events = try await app.request(.get, "/v1/sims/\(Fixtures.iccid(0))/events", key: app.operatorKey)
            let cause = try #require(events.items.first?["cause"] as? [String: Any])
            #expect((cause["actor"] as? [String: Any])?["type"] as? String == "api_key", "the import is the signed-in key's, as in the API")
        }
    }

    @Test("tariffs are listed with their prices in their currency", arguments: [TestEngine.sqlite])
    func tariffs(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, _) = try await app.makeCustomer("E-Bikes")
            try await app.pricedTariff(7, accounts: [account], price: ["currency": "EUR", "monthly_fees": ["LIVE": 900, "OFFLINE": 150], "included_mb": 100, "data_price_per_mb": 2])
            let cookie = try await app.signIn(key: app.operatorKey)
            let page = try await app.browser(.get, "/operator", cookie: cookie)
            #expect(page.text.contains("Tariff 7") && page.text.contains("LIVE 9.00 EUR, OFFLINE 1.50 EUR a month") && page.text.contains("0.02 EUR per MB"), "\(page.text)")
        }
    }

    @Test("a customer gets 403 on every operator page and form; a read-only operator key sees no forms and its posts are refused; a form without its token is refused", arguments: TestEngine.available)
    func refusals(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let customer = try await app.signIn(key: key)
            let customerCSRF = try #require(try await app.browser(.get, "/", cookie: customer).csrf)
            for path in ["/operator", "/operator/accounts/\(account)", "/operator/accounts/\(app.fleetAccount)"] {
                let reply = try await app.browser(.get, path, cookie: customer)
                #expect(reply.status == 403 && reply.text.contains("operator_only"), "\(path)")
            }
            for path in ["/operator/accounts", "/operator/accounts/\(account)/keys", "/operator/import"] {
                #expect(try await app.browser(.post, path, cookie: customer, form: ["csrf": customerCSRF, "name": "x", "csv": "iccid,imsi\n"]).status == 403, "\(path)")
            }
            #expect(try await app.request(.get, "/v1/accounts", key: app.operatorKey).items.count == 3, "no account was made")

            let readOnly = try await app.request(.post, "/v1/api_keys", key: app.operatorKey, json: ["name": "auditor", "scope": "read_only"])
            let readOnlyCookie = try await app.signIn(key: try #require(readOnly["secret"]))
            let looking = try await app.browser(.get, "/operator", cookie: readOnlyCookie)
            #expect(looking.status == 200 && looking.text.contains("E-Bikes"))
            #expect(!looking.text.contains(#"action="/operator/accounts""#) && !looking.text.contains(#"action="/operator/import""#))
            let accountPage = try await app.browser(.get, "/operator/accounts/\(account)", cookie: readOnlyCookie)
            #expect(accountPage.status == 200 && !accountPage.text.contains("/revoke") && !accountPage.text.contains("/keys\""))
            let readOnlyCSRF = try #require(looking.csrf)
            #expect(try await app.browser(.post, "/operator/accounts", cookie: readOnlyCookie, form: ["csrf": readOnlyCSRF, "name": "Sneaky"]).status == 403)

            let cookie = try await app.signIn(key: app.operatorKey)
            #expect(try await app.browser(.post, "/operator/accounts", cookie: cookie, form: ["name": "No token"]).status == 403)
            #expect(try await app.browser(.post, "/operator/accounts", cookie: cookie, form: ["csrf": "forged", "name": "Forged"]).status == 403)
            #expect(try await app.request(.get, "/v1/accounts", key: app.operatorKey).items.count == 3, "no account was made")
        }
    }
}
