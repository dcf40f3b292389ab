import Foundation
import SimGateTestSupport
import Testing

/// The dashboard in a real browser: Debian's Chromium, headless, through chromedriver. Where
/// they are not installed the tests are skipped, except under `CI=true`, where they must run.
/// One browser at a time: each is heavy on a 2-core machine running the rest of the suite.
@Suite("Dashboard in a browser", .serialized, .enabled(if: WebDriverBrowser.available || ProcessInfo.processInfo.environment["CI"] == "true"))
struct DashboardBrowserTests {
    @Test("a browser signs in with a key, sees its fleet on the overview, finds a SIM by ICCID, and signs out", .timeLimit(.minutes(1)))
    func signInAndOut() async throws {
        try #require(WebDriverBrowser.available, "CI must install chromium and chromium-driver")
        try await TestHarness.run(.sqlite) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes Ltd")
            let sims = try await app.importSims(0..<3, account: account)
            _ = try await app.request(.post, "/v1/sims/\(sims[0])/activate", key: key, json: ["reason": "first ride"])
            let port = try #require(app.client.port)
            try await WebDriverBrowser.with { browser in
                // After each click that navigates, the test first finds an element only the next
                // page has (finding waits for it), so it never reads the page it left.
                try await browser.go("http://127.0.0.1:\(port)/")
                #expect(try await browser.currentURL().hasSuffix("/sign-in"))
                try await browser.type("#key", "sgk_not_a_key")
                try await browser.click("form button[type=submit]")
                #expect(try await browser.text("p.error").contains("not valid"))

                try await browser.type("#key", key)
                try await browser.click("form button[type=submit]")
                #expect(try await browser.text("#sims-heading") == "SIMs by status")
                #expect(try await browser.text("h1") == "E-Bikes Ltd")
                #expect(try await browser.text("ol.events").contains("first ride"))
                try await browser.screenshot("signed-in")

                try await browser.go("http://127.0.0.1:\(port)/sims")
                try await browser.type("#q", Fixtures.iccid(1))
                try await browser.click("form[role=search] button[type=submit]")
                _ = try await browser.element("#q[value='\(Fixtures.iccid(1))']")
                #expect(try await browser.text("table.sims tbody").contains(Fixtures.iccid(1)))
                #expect(!(try await browser.text("table.sims tbody").contains(Fixtures.iccid(2))))
                try await browser.screenshot("sims")

                try await browser.click("form.sign-out button")
                _ = try await browser.element("#key")
                #expect(try await browser.currentURL().hasSuffix("/sign-in"))
                try await browser.go("http://127.0.0.1:\(port)/")
                #expect(try await browser.currentURL().hasSuffix("/sign-in"), "the session ended")
            }
        }
    }

    @Test("a support desk in a browser: suspends a SIM with a reason and sees OFFLINE with its hold and event; sees RADIUS usage arrive without reloading; creates a roaming rule and sees it fire; a form without its token and another account's SIM are refused", .timeLimit(.minutes(2)))
    func supportDesk() async throws {
        try #require(WebDriverBrowser.available, "CI must install chromium and chromium-driver")
        try await TestHarness.run(.sqlite) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes Ltd")
            let (other, _) = try await app.makeCustomer("Scooters")
            let sims = try await app.importSims(0..<3, account: account, labels: ["berlin"])
            let foreign = try #require(try await app.importSims(3..<4, account: other).first)
            _ = try await app.request(.post, "/v1/sims/\(sims[0])/activate", key: key, json: ["reason": "sold"])
            let port = try #require(app.client.port)
            let base = "http://127.0.0.1:\(port)"
            try await WebDriverBrowser.with { browser in
                try await browser.go(base + "/sign-in")
                try await browser.type("#key", key)
                try await browser.click("form button[type=submit]")
                _ = try await browser.element("#sims-heading")

                // Find the SIM by ICCID and open its page.
                try await browser.go(base + "/sims")
                try await browser.type("#q", Fixtures.iccid(0))
                try await browser.click("form[role=search] button[type=submit]")
                _ = try await browser.element("#q[value='\(Fixtures.iccid(0))']")
                try await browser.click("table.sims a[href='/sims/\(sims[0])']")
                _ = try await browser.element("#sim-page")
                #expect(try await browser.text("#sim-status") == "LIVE")

                // Suspend with a reason: OFFLINE, the manual hold with the reason, and the event.
                try await browser.type("#act-reason", "reported stolen")
                try await browser.click("#suspend")
                _ = try await browser.element("p.notice")
                #expect(try await browser.text("#sim-status") == "OFFLINE")
                let holds = try await browser.text("#holds")
                #expect(holds.contains("manual") && holds.contains("reported stolen"), "\(holds)")
                #expect(try await browser.text("#timeline").contains("reported stolen"))

                // RADIUS usage shows on the open page without a reload, through the event stream.
                _ = try await app.request(.post, "/v1/sims/\(sims[0])/activate", key: key, json: ["reason": "found"])
                _ = try await browser.element("#sim-status[data-status='LIVE']")
                // With the status, why: the page said LIVE with the suspension's "reported stolen",
                // and the emptied holds left no "No holds" line (it was drawn only on load).
                let why = try await browser.text("#status-why")
                #expect(why.contains("“found”"), "\(why)")
                _ = try await browser.element("#no-holds:not([hidden])")
                try await RADIUSAccountingTests.send(app, [
                    RADIUSAccountingTests.accounting(.start, session: "b-1", imsi: Fixtures.imsi(0), input: 0, output: 0, identifier: 1),
                    RADIUSAccountingTests.accounting(.interimUpdate, session: "b-1", imsi: Fixtures.imsi(0), input: 3_145_728, output: 0, identifier: 2),
                ])
                _ = try await browser.element("#usage-month[data-bytes='3145728']")
                #expect(try await browser.text("#usage-month") == "3.0 MB")

                // A roaming rule made in the form: the bike leaves Germany, the rule sets it OFFLINE.
                try await browser.go(base + "/rules/new")
                try await browser.type("#rule-name", "Outside Germany")
                try await browser.click("#rule-trigger option[value='country_not_in']")
                try await browser.type("#rule-countries", "DE")
                try await browser.click("#rule-action-suspend")
                try await browser.click("#rule-save")
                _ = try await browser.element("p.notice")
                try await browser.go(base + "/sims/\(sims[0])")
                _ = try await browser.element("#sim-page")
                try await RADIUSAccountingTests.send(app, [
                    RADIUSAccountingTests.accounting(.interimUpdate, session: "b-1", imsi: Fixtures.imsi(0), input: 3_145_828, output: 0, identifier: 3, mccMNC: "20801"),
                ])
                try await app.settle()  // the rule's firing runs as a job
                _ = try await browser.element("#timeline li[data-type='rule.triggered']")
                _ = try await browser.element("#sim-status[data-status='OFFLINE']")
                #expect(try await browser.text("#holds").contains("rule:"))
                try await browser.go(base + "/sims/\(sims[0])")
                _ = try await browser.element("#sim-page")
                try await browser.resize(width: 1280, height: 2000)
                try await browser.screenshot("sim")
                try await browser.resize(width: 1280, height: 800)

                // A form sent without its token is refused, and changes nothing.
                try await browser.go(base + "/sims/\(sims[1])")
                _ = try await browser.element("#act-form")
                try await browser.execute("document.querySelector('#act-form input[name=csrf]').remove()")
                try await browser.click("#suspend")
                // The click may return before the next page has come: wait for what only the
                // problem page has (the SIM's page has an h1 too, which was read instead).
                _ = try await browser.element("main .card[role=alert]")
                #expect(try await browser.text("h1") == "Refused")
                #expect(try await app.request(.get, "/v1/sims/\(sims[1])", key: key)["status"] == "INVENTORY")

                // Another account's SIM is not found.
                try await browser.go(base + "/sims/\(foreign)")
                #expect(try await browser.text("h1") == "Not found")

                try await browser.go(base + "/")
                _ = try await browser.element("#sims-heading")
                #expect(try await browser.text("#holds-by-cause").contains("rule “Outside Germany”"))
                #expect(try await browser.text("#rules-fired").contains("Outside Germany"))
                try await browser.resize(width: 1280, height: 1500)
                try await browser.screenshot("overview")
            }
        }
    }
}
