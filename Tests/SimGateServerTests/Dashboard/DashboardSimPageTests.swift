import AsyncHTTPClient
import Foundation
import NIOCore
import SimGateCore
import SimGateTestSupport
import Testing

@Suite("Dashboard SIM page")
struct DashboardSimPageTests {
    @Test("the SIM page shows identity, status, each hold with who placed it and why, the timeline and usage; suspend and activate from it leave the API's events; another account's SIM is 404", arguments: TestEngine.available)
    func simPage(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let (other, otherKey) = try await app.makeCustomer("Scooters")
            let sims = try await app.importSims(0..<2, account: account, labels: ["berlin"])
            let foreign = try #require(try await app.importSims(2..<3, account: other).first)
            _ = try await app.request(.post, "/v1/sims/\(sims[0])/activate", key: key, json: ["reason": "sold to <Anna>"])
            try await RADIUSAccountingTests.send(app, [
                RADIUSAccountingTests.accounting(.start, session: "p-1", imsi: Fixtures.imsi(0), input: 0, output: 0, identifier: 1),
                RADIUSAccountingTests.accounting(.interimUpdate, session: "p-1", imsi: Fixtures.imsi(0), input: 1_048_576, output: 524_288, identifier: 2),
            ])
            let cookie = try await app.signIn(key: key)

            let page = try await app.browser(.get, "/sims/\(sims[0])", cookie: cookie)
            #expect(page.status == 200)
            #expect(page.text.contains(Fixtures.iccid(0)) && page.text.contains(Fixtures.imsi(0)))
            #expect(page.text.contains(#"data-status="LIVE" data-live="status">LIVE</span>"#))
            #expect(page.text.contains("sold to &lt;Anna&gt;") && !page.text.contains("<Anna>"), "reasons are escaped")
            #expect(page.text.contains(#"<span id="usage-month" data-bytes="1572864" data-live="usage-month">1.5 MB</span>"#), "RADIUS usage this month")
            #expect(page.text.contains("<svg class=\"chart\"") && page.text.contains("<td>DE</td>"), "a chart by day and a table by country")
            #expect(page.text.contains("p-1"), "the session")
            #expect(page.text.contains(#"id="act-form""#))
            #expect(try await app.browser(.get, "/sims/\(Fixtures.iccid(0))", cookie: cookie).status == 200, "found by ICCID too")

            // Suspend from the page: OFFLINE with the manual hold, the reason and the event, as the API would.
            let suspended = try await app.browser(.post, "/sims/\(sims[0])/suspend", cookie: cookie, form: ["csrf": try #require(page.csrf), "reason": "unpaid since May"])
            #expect(suspended.status == 303 && suspended.headers[.location] == "/sims/\(sims[0])?notice=suspended")
            let api = try await app.request(.get, "/v1/sims/\(sims[0])", key: key)
            #expect(api["status"] == "OFFLINE")
            let events = try await app.request(.get, "/v1/sims/\(sims[0])/events?type=sim.status_changed", key: key).items
            #expect((events.first?["cause"] as? [String: Any])?["reason"] as? String == "unpaid since May")
            let after = try await app.browser(.get, "/sims/\(sims[0])?notice=suspended", cookie: cookie)
            #expect(after.text.contains(#"data-status="OFFLINE" data-live="status">OFFLINE</span>"#))
            #expect(after.text.contains("<strong>manual</strong>") && after.text.contains("unpaid since May"), "the hold with its reason")
            #expect(after.text.contains("The SIM was suspended"))

            // Activation needs nothing but the token; a reason too long is refused as the API refuses it.
            let long = try await app.browser(.post, "/sims/\(sims[0])/activate", cookie: cookie, form: ["csrf": try #require(after.csrf), "reason": String(repeating: "x", count: 5_000)])
            #expect(long.status == 400 && long.text.contains("reason"), "\(long.status)")
            #expect(try await app.request(.get, "/v1/sims/\(sims[0])", key: key)["status"] == "OFFLINE", "nothing changed")
            let activated = try await app.browser(.post, "/sims/\(sims[0])/activate", cookie: cookie, form: ["csrf": try #require(after.csrf)])
            #expect(activated.status == 303)
            #expect(try await app.request(.get, "/v1/sims/\(sims[0])", key: key)["status"] == "LIVE")

            // Without the form's token, or from another site, nothing happens.
            let forged = try await app.browser(.post, "/sims/\(sims[0])/suspend", cookie: cookie, form: ["reason": "forged"])
            #expect(forged.status == 403)
            let crossSite = try await app.browser(.post, "/sims/\(sims[0])/suspend", cookie: cookie, form: ["csrf": try #require(after.csrf)], headers: ["Origin": "https://evil.example"])
            #expect(crossSite.status == 403)
            #expect(try await app.request(.get, "/v1/sims/\(sims[0])", key: key)["status"] == "LIVE")

            // Another account's SIM: 404 on its page and its forms, whether named by id or ICCID.
            #expect(try await app.browser(.get, "/sims/\(foreign)", cookie: cookie).status == 404)
            #expect(try await app.browser(.get, "/sims/\(Fixtures.iccid(2))", cookie: cookie).status == 404)
            #expect(try await app.browser(.post, "/sims/\(foreign)/suspend", cookie: cookie, form: ["csrf": try #require(after.csrf)]).status == 404)
            #expect(try await app.request(.get, "/v1/sims/\(foreign)", key: otherKey)["status"] == "INVENTORY")
            #expect(try await app.browser(.get, "/live?sim=\(foreign)", cookie: cookie).status == 404)

            // A read-only key reads the page without forms, and cannot post them.
            let readOnly = try await app.request(.post, "/v1/api_keys", key: key, json: ["name": "desk", "scope": "read_only"])
            let reader = try await app.signIn(key: try #require(readOnly["secret"]))
            let read = try await app.browser(.get, "/sims/\(sims[0])", cookie: reader)
            #expect(read.status == 200 && !read.text.contains(#"id="act-form""#))
            let refused = try await app.browser(.post, "/sims/\(sims[0])/suspend", cookie: reader, form: ["csrf": try #require(read.csrf)])
            #expect(refused.status == 403)
        }
    }

    @Test("the live stream sends a SIM's new events, status and usage as they are committed, and resumes after the last one it sent", .timeLimit(.minutes(1)))
    func liveStream() async throws {
        try await TestHarness.run(.sqlite) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let cookie = try await app.signIn(key: key)
            let port = try #require(app.client.port)
            let http = HTTPClient.shared
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/live?sim=\(sim)&bytes=0")
            request.headers.add(name: "Cookie", value: "simgate_session=\(cookie)")
            let response = try await http.execute(request, timeout: .seconds(30))
            #expect(response.status.code == 200 && response.headers.first(name: "content-type")?.hasPrefix("text/event-stream") == true)
            var messages = MessageReader(response.body.makeAsyncIterator())

            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key, json: ["reason": "first ride"])
            let first = try await messages.next { $0["status"] as? String == "LIVE" }
            let events = first["events"] as? [[String: Any]] ?? []
            #expect(events.first?["type"] as? String == "sim.status_changed" && events.first?["reason"] as? String == "first ride")

            try await RADIUSAccountingTests.send(app, [
                RADIUSAccountingTests.accounting(.start, session: "live-1", imsi: Fixtures.imsi(0), input: 0, output: 0, identifier: 1),
                RADIUSAccountingTests.accounting(.interimUpdate, session: "live-1", imsi: Fixtures.imsi(0), input: 2_097_152, output: 0, identifier: 2),
            ])
            let usage = try await messages.next { $0["usageMonth"] as? String == "2.0 MB" }
            #expect(usage["usageMonthBytes"] as? String == "2097152")

            // A browser that reconnects names the last id it saw and gets only what came after.
            let lastID = try #require(messages.lastID)
            _ = try await app.request(.post, "/v1/sims/\(sim)/suspend", key: key, json: ["reason": "stolen"])
            var again = HTTPClientRequest(url: "http://127.0.0.1:\(port)/live?sim=\(sim)")
            again.headers.add(name: "Cookie", value: "simgate_session=\(cookie)")
            again.headers.add(name: "Last-Event-ID", value: lastID)
            var resumed = MessageReader(try await http.execute(again, timeout: .seconds(30)).body.makeAsyncIterator())
            let news = try await resumed.next { $0["events"] != nil }
            let reasons = (news["events"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
            #expect(!reasons.isEmpty && reasons.allSatisfy { $0 == "stolen" }, "only the suspension's events are new: \(reasons)")
            #expect((news["holds"] as? [[String: Any]])?.first?["cause"] as? String == "manual")

            // Signed out, the open stream ends: it went on sending the account's news, holds and
            // reasons for the rest of its five minutes.
            let csrf = try #require(try await app.browser(.get, "/", cookie: cookie).csrf)
            #expect(try await app.browser(.post, "/sign-out", cookie: cookie, form: ["csrf": csrf]).status == 303)
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key, json: ["reason": "after sign-out"])
            do {
                let leaked = try await resumed.next { message in
                    (message["events"] as? [[String: Any]])?.contains { $0["reason"] as? String == "after sign-out" } == true
                }
                Issue.record("the stream went on after sign-out: \(leaked)")
            } catch is MessageReader.StreamEnded {}
        }
    }
}

extension DashboardSimPageTests {
    /// A sign-out writes no event, so nothing woke its streams: they went on until their next
    /// look, 25 seconds later on SQLite, or until some other change of the account.
    @Test("signing out ends the session's open live streams at once, with nothing else to wake them", .timeLimit(.minutes(1)))
    func signOutEndsStreams() async throws {
        try await TestHarness.run(.sqlite) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            _ = try await app.importSims(0..<1, account: account)
            let cookie = try await app.signIn(key: key)
            let port = try #require(app.client.port)
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/live")
            request.headers.add(name: "Cookie", value: "simgate_session=\(cookie)")
            var stream = MessageReader(try await HTTPClient.shared.execute(request, timeout: .seconds(30)).body.makeAsyncIterator())
            let first = try await stream.next { _ in true }
            #expect(first["events"] != nil, "the account's events so far: \(first)")
            let csrf = try #require(try await app.browser(.get, "/", cookie: cookie).csrf)
            #expect(try await app.browser(.post, "/sign-out", cookie: cookie, form: ["csrf": csrf]).status == 303)
            // Waited for 10 seconds at most, well before the stream's next look.
            let rest = StreamRest(stream)
            let ended = await within(seconds: 10) { try await rest.endsWithoutNews() }
            #expect(ended == true, "the stream went on after sign-out")
        }
    }
}

/// The rest of a stream, read in a task of its own so that the wait for its end is bounded.
private final class StreamRest: @unchecked Sendable {
    private var reader: MessageReader
    init(_ reader: MessageReader) { self.reader = reader }

    /// Whether the stream ends before any further change message.
    func endsWithoutNews() async throws -> Bool {
        do {
            _ = try await reader.next { _ in true }
            return false
        } catch is MessageReader.StreamEnded {
            return true
        }
    }
}

/// Reads Server-Sent Events from a response body, message by message.
private struct MessageReader {
    var body: HTTPClientResponse.Body.AsyncIterator
    var buffer = ""
    /// The `id:` of the last message read.
    var lastID: String?

    init(_ body: HTTPClientResponse.Body.AsyncIterator) { self.body = body }

    /// The data of the next `change` message that `matches`; comments and others are skipped.
    /// The test's time limit bounds a stream that never sends one.
    mutating func next(where matches: ([String: Any]) -> Bool) async throws -> [String: Any] {
        while true {
            while let end = buffer.range(of: "\n\n") {
                let block = String(buffer[..<end.lowerBound])
                buffer.removeSubrange(..<end.upperBound)
                var data = "", id: String?
                for line in block.split(separator: "\n") {
                    if line.hasPrefix("data: ") { data += line.dropFirst(6) }
                    if line.hasPrefix("id: ") { id = String(line.dropFirst(4)) }
                }
                guard !data.isEmpty, let json = try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any] else { continue }
                if let id { lastID = id }
                if matches(json) { return json }
            }
            guard let part = try await body.next() else { throw StreamEnded() }
            buffer += String(buffer: part)
        }
    }

    struct StreamEnded: Error {}
}
