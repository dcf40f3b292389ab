import Foundation
import SimGateTestSupport
import Testing

@Suite("Dashboard SIM list")
struct DashboardSimListTests {
    @Test("the SIM list finds a SIM by any identifier, filters by status and label, pages without offsets, and shows only the account's own", arguments: TestEngine.available)
    func findSims(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let (other, _) = try await app.makeCustomer("Scooters")
            let sims = try await app.importSims(0..<60, account: account, labels: ["berlin"])
            try await app.importSims(60..<61, account: other)
            _ = try await app.request(.post, "/v1/sims/\(sims[5])/activate", key: key)
            let cookie = try await app.signIn(key: key)

            #expect(try await app.browser(.get, "/sims").status == 303, "signed-in only")
            for identifier in [Fixtures.iccid(5), Fixtures.imsi(5), Fixtures.msisdn(5)] {
                let found = try await app.browser(.get, "/sims?q=\(identifier)", cookie: cookie)
                #expect(found.status == 200 && found.text.contains(Fixtures.iccid(5)) && !found.text.contains(Fixtures.iccid(6)), "\(identifier)")
            }
            let foreign = try await app.browser(.get, "/sims?q=\(Fixtures.iccid(60))", cookie: cookie)
            #expect(foreign.text.contains("No SIM matches.") && !foreign.text.contains("<code>\(Fixtures.iccid(60))</code>"))
            let nonsense = try await app.browser(.get, "/sims?q=%3Cscript%3E", cookie: cookie)
            #expect(nonsense.status == 200 && nonsense.text.contains("is not an ICCID") && !nonsense.text.contains("<script>"))

            _ = try await app.request(.post, "/v1/sims/\(sims[7])/activate", key: key)
            _ = try await app.request(.post, "/v1/sims/\(sims[7])/suspend", key: key, json: ["reason": "stolen"])
            let held = try await app.browser(.get, "/sims?q=\(Fixtures.iccid(7))", cookie: cookie)
            #expect(held.text.contains("<small>(manual)</small>"))
            #expect(!(try await app.browser(.get, "/sims?q=\(Fixtures.iccid(5))", cookie: cookie).text.contains("<small>")), "no empty holds")
            let live = try await app.browser(.get, "/sims?status=LIVE", cookie: cookie)
            #expect(live.text.contains(Fixtures.iccid(5)) && !live.text.contains(Fixtures.iccid(4)))
            #expect(try await app.browser(.get, "/sims?label=paris", cookie: cookie).text.contains("No SIM matches."))

            let first = try await app.browser(.get, "/sims?label=berlin", cookie: cookie)
            let next = try #require(first.text.range(of: #"href="(/sims\?[^"]*)" rel="next""#, options: .regularExpression).map { String(first.text[$0]) })
            let path = String(next.dropFirst(6).prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
            let second = try await app.browser(.get, path, cookie: cookie)
            let shown = (0..<60).filter { first.text.contains(Fixtures.iccid($0)) }, rest = (0..<60).filter { second.text.contains(Fixtures.iccid($0)) }
            #expect(shown.count == 50 && rest.count == 10 && Set(shown).isDisjoint(with: rest), "\(shown.count) then \(rest.count)")
            #expect(!second.text.contains(#"rel="next""#))
        }
    }
}
