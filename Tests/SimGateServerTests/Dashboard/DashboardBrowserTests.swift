import Foundation
import SimGateTestSupport
import Testing

/// The dashboard in a real browser: Debian's Chromium, headless, through chromedriver. Where
/// they are not installed the tests are skipped, except under `CI=true`, where they must run.
@Suite("Dashboard in a browser", .enabled(if: WebDriverBrowser.available || ProcessInfo.processInfo.environment["CI"] == "true"))
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
                try await browser.screenshot("overview")

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
}
