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

    @Test("the search box takes identifiers typed in groups: a GET form sends each space as +, and a plus as %2B")
    func searchWithSpaces() async throws {
        try await TestHarness.run(.sqlite) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            try await app.importSims(0..<12, account: account)
            let cookie = try await app.signIn(key: key)
            func grouped(_ digits: String) -> String {
                stride(from: 0, to: digits.count, by: 4).map { String(digits.dropFirst($0).prefix(4)) }.joined(separator: "+")
            }
            for typed in [grouped(Fixtures.iccid(11)), grouped(Fixtures.msisdn(11)), "%2B" + grouped(Fixtures.msisdn(11))] {
                let found = try await app.browser(.get, "/sims?q=\(typed)", cookie: cookie)
                #expect(found.status == 200 && found.text.contains(Fixtures.iccid(11)) && !found.text.contains(Fixtures.iccid(10)), "\(typed)")
            }
            // A value that is not percent-encoding is still shown back as refused, not dropped.
            let broken = try await app.browser(.get, "/sims?q=12%ZZ", cookie: cookie)
            #expect(broken.status == 200 && broken.text.contains("is not an ICCID") && !broken.text.contains(Fixtures.iccid(0)))
        }
    }

    @Test("ticked SIMs are suspended or activated together with a reason, each alone; the form is checked as the API checks a bulk request, and another account's SIM is not touched", arguments: TestEngine.available)
    func bulkActions(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let (other, otherKey) = try await app.makeCustomer("Scooters")
            let sims = try await app.importSims(0..<3, account: account)
            let foreign = try #require(try await app.importSims(3..<4, account: other).first)
            for sim in sims { _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key) }
            _ = try await app.request(.post, "/v1/sims/\(foreign)/activate", key: otherKey)
            let cookie = try await app.signIn(key: key)
            let page = try await app.browser(.get, "/sims", cookie: cookie)
            let csrf = try #require(page.csrf)
            #expect(page.text.contains(#"name="sim" value="\#(Fixtures.iccid(0))""#))

            // Form fields repeat (`sim` once per tick): sent as the browser sends them.
            func post(_ fields: [(String, String)]) async throws -> TestReply {
                let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
                let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
                return try await app.browser(.post, "/sims/bulk", cookie: cookie, rawForm: body)
            }
            let statuses = { () async throws -> [String?] in
                var found: [String?] = []
                for sim in sims + [foreign] { found.append(try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)["status"]) }
                return found
            }

            let tooLong = try await post([("csrf", csrf), ("action", "suspend"), ("reason", String(repeating: "x", count: 5_000)), ("sim", Fixtures.iccid(0))])
            #expect(tooLong.status == 400 && tooLong.text.contains("reason"), "\(tooLong.status)")
            let twice = try await post([("csrf", csrf), ("action", "suspend"), ("sim", Fixtures.iccid(0)), ("sim", Fixtures.iccid(0))])
            #expect(twice.status == 400 && twice.text.contains("twice"), "\(twice.status)")
            let retire = try await post([("csrf", csrf), ("action", "retire"), ("sim", Fixtures.iccid(0))])
            #expect(retire.status == 400)
            let none = try await post([("csrf", csrf), ("action", "suspend")])
            #expect(none.status == 400)
            #expect(try await statuses() == ["LIVE", "LIVE", "LIVE", "LIVE"], "nothing changed by refused forms")

            let done = try await post([
                ("csrf", csrf), ("action", "suspend"), ("reason", "fleet recall"), ("return_to", "/sims?status=LIVE"),
                ("sim", Fixtures.iccid(0)), ("sim", Fixtures.iccid(1)), ("sim", Fixtures.iccid(3)),
            ])
            #expect(done.status == 303 && done.headers[.location] == "/sims?status=LIVE&bulk=suspend&done=2&failed=1", "\(done.headers[.location] ?? "")")
            #expect(try await statuses() == ["OFFLINE", "OFFLINE", "LIVE", "LIVE"], "the other account's SIM is untouched")
            let reason = (try await app.request(.get, "/v1/sims/\(sims[0])/events?type=sim.status_changed", key: key).items.first?["cause"] as? [String: Any])?["reason"] as? String
            #expect(reason == "fleet recall")
            let shown = try await app.browser(.get, try #require(done.headers[.location]), cookie: cookie)
            #expect(shown.text.contains("Suspended 2 SIM(s); 1 could not be"))

            // A return address elsewhere is not followed.
            let away = try await post([("csrf", csrf), ("action", "activate"), ("return_to", "//evil.example/x"), ("sim", Fixtures.iccid(0))])
            #expect(away.headers[.location]?.hasPrefix("/sims?bulk=activate") == true, "\(away.headers[.location] ?? "")")
        }
    }
}
