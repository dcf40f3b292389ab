import Foundation
import HTTPTypes
import SimGateTestSupport
import Testing

@Suite("Dashboard statement pages")
struct DashboardStatementsPagesTests {
    static var price: [String: Any] { ["currency": "EUR", "monthly_fees": ["LIVE": 900, "OFFLINE": 100], "included_mb": 100, "data_price_per_mb": 2] }

    @Test("the statement page shows the API's totals in euros, savings by hold cause and lines; its CSV is the API's, byte for byte", arguments: TestEngine.available)
    func statementMatchesTheAPI(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sims = try await app.importSims(0..<2, account: account)
            try await app.pricedTariff(5, accounts: [account], price: Self.price)
            app.at(day: 20)
            try await app.provision(sims[0], tariff: 5, key: key)
            app.at(day: 24)
            try await app.used(60, sim: 0, key: key, id: "cdr-1")
            app.at(day: 27)
            #expect(try await app.request(.post, "/v1/sims/\(sims[0])/suspend", key: key, json: ["reason": "rider stopped paying"]).status == 200)
            app.at(day: 63)

            let api = try await app.statement("2027-01", key: key)
            try #require(api.status == 200, "\(api.text)")
            let total = try #require(api.total())
            let (amount, saved) = (try #require(total["amount"] as? Int), try #require(total["saved"] as? Int))
            let cookie = try await app.signIn(key: key)
            let page = try await app.browser(.get, "/statements?month=2027-01", cookie: cookie)
            #expect(page.status == 200, "\(page.text)")
            #expect(page.text.contains(Self.euros(amount)) && page.text.contains(Self.euros(saved)), "totals \(amount) and \(saved) as in the API")
            #expect(page.text.contains("frozen") && page.text.contains(#"value="2027-01""#))
            let totalsTable = try #require(page.text.components(separatedBy: "statement-totals").dropFirst().first)
            #expect(totalsTable.contains("<th scope=\"row\">EUR</th><td class=\"number\">\(Self.euros(amount))</td>"))
            #expect(page.text.contains("<th scope=\"row\">manual</th>"), "savings by hold cause")
            #expect(page.text.contains(Fixtures.iccid(0)) && page.text.contains(Fixtures.iccid(1)))
            #expect(page.text.contains("Tariff 5"))

            let csvLink = try #require(page.text.range(of: #"href="/statements\.csv\?[^"]*""#, options: .regularExpression).map { String(page.text[$0].dropFirst(6).dropLast()) })
            let download = try await app.browser(.get, csvLink.replacingOccurrences(of: "&amp;", with: "&"), cookie: cookie)
            let apiCSV = try await app.request(.get, "/v1/statements?month=2027-01&format=csv", key: key)
            #expect(download.status == 200 && apiCSV.status == 200)
            #expect(download.body == apiCSV.body && download.text.hasPrefix("account,month,line"))
            #expect(download.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(download.headers[.contentDisposition] == "attachment; filename=\"statement-\(account)-2027-01.csv\"")
            #expect(try await app.browser(.get, "/statements.csv?month=2027-01").status == 303, "the download needs a session too")

            let current = try await app.browser(.get, "/statements", cookie: cookie)
            #expect(current.status == 200 && current.text.contains(#"value="2027-03""#) && current.text.contains("forecast"), "the current month by default")
            let tooEarly = try await app.browser(.get, "/statements?month=2020-01", cookie: cookie)
            #expect(tooEarly.status == 400 && tooEarly.text.contains(#"role="alert""#) && tooEarly.text.contains(#"id="statement-month""#))
        }
    }

    @Test("a customer reads only its own statement (another account's is 404); the operator picks the account", arguments: TestEngine.available)
    func tenantIsolation(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let (other, _) = try await app.makeCustomer("Scooters")
            try await app.importSims(0..<1, account: account)
            try await app.importSims(1..<2, account: other)
            app.at(day: 1)
            let cookie = try await app.signIn(key: key)

            let foreign = try await app.browser(.get, "/statements?account=\(other)", cookie: cookie)
            #expect(foreign.status == 404 && !foreign.text.contains(Fixtures.iccid(1)))
            #expect(try await app.browser(.get, "/statements.csv?account=\(other)", cookie: cookie).status == 404)
            #expect(try await app.browser(.get, "/statements?account=nonsense", cookie: cookie).status == 404)
            let own = try await app.browser(.get, "/statements", cookie: cookie)
            #expect(own.text.contains(Fixtures.iccid(0)) && !own.text.contains(Fixtures.iccid(1)) && !own.text.contains("Scooters"))
            #expect(!own.text.contains(#"id="statement-account""#), "a customer has no account to pick")

            let operatorCookie = try await app.signIn(key: app.operatorKey)
            let picker = try await app.browser(.get, "/statements", cookie: operatorCookie)
            #expect(picker.status == 200 && picker.text.contains(#"<label for="statement-account">"#) && picker.text.contains("Scooters") && picker.text.contains("E-Bikes"))
            #expect(!picker.text.contains("statement-lines"), "no statement until an account is picked")
            #expect(try await app.browser(.get, "/statements.csv", cookie: operatorCookie).status == 400)
            let chosen = try await app.browser(.get, "/statements?account=\(other)", cookie: operatorCookie)
            #expect(chosen.status == 200 && chosen.text.contains(Fixtures.iccid(1)) && !chosen.text.contains(Fixtures.iccid(0)))
            #expect(chosen.text.contains(#"<option value="\#(other)" selected>"#))
        }
    }

    @Test("statement lines are shown a hundred a page, by the API's cursor", arguments: [TestEngine.sqlite])
    func linesArePaged(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            try await app.importSims(0..<101, account: account)
            app.at(day: 1)
            let cookie = try await app.signIn(key: key)
            let first = try await app.browser(.get, "/statements", cookie: cookie)
            let next = try #require(first.text.range(of: #"href="(/statements\?[^"]*)" rel="next""#, options: .regularExpression).map { String(first.text[$0]) })
            let path = String(next.dropFirst(6).prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
            let second = try await app.browser(.get, path, cookie: cookie)
            let shown = (0..<101).filter { first.text.contains(Fixtures.iccid($0)) }, rest = (0..<101).filter { second.text.contains(Fixtures.iccid($0)) }
            #expect(shown.count == 100 && rest.count == 1 && Set(shown).isDisjoint(with: rest), "\(shown.count) then \(rest.count)")
        }
    }

    /// `amount` euro cents as the page prints them: `1,234.56 EUR`.
    static func euros(_ amount: Int) -> String {
        let whole = amount / 100, cents = amount % 100
        let grouped = whole.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US")))
        return "\(grouped).\(cents < 10 ? "0" : "")\(cents) EUR"
    }
}
