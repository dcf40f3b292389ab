import Foundation
import SimGateCore
import SimGateTestSupport
import Testing
@testable import SimGateServer

/// Lists that are walked down an index other than the id's (by label, by time window) still
/// page like every list: newest first, each item once, forwards and backwards.
@Suite("Paging lists by label and by time")
struct ListPagingTests {
    /// Every id of `path` (which has no cursor yet), page by page forwards with `limit`.
    private static func walk(_ app: TestHarness, _ path: String, key: String, limit: Int) async throws -> [String] {
        var ids: [String] = []
        var cursor: String?
        for _ in 0..<100 {
            let page = try await app.request(.get, path + "&limit=\(limit)" + (cursor.map { "&starting_after=\($0)" } ?? ""), key: key)
            try #require(page.status == 200, "\(page.text)")
            ids += page.items.compactMap { $0["id"] as? String }
            guard page.json["has_more"] as? Bool == true else { return ids }
            cursor = ids.last
        }
        Issue.record("\(path) did not end within 100 pages")
        return ids
    }

    /// The page before `cursor`, backwards.
    private static func before(_ app: TestHarness, _ path: String, key: String, limit: Int, cursor: String) async throws -> [String] {
        try await app.request(.get, path + "&limit=\(limit)&ending_before=\(cursor)", key: key).items.compactMap { $0["id"] as? String }
    }

    @Test("SIMs by label: every SIM with the label once, newest first, none without it or of another account, backwards too", arguments: TestEngine.available)
    func byLabel(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("Labelled")
            let (other, _) = try await app.makeCustomer("Other")
            var labelled: [String] = []
            for n in 0..<24 {
                labelled += try await app.importSims(n..<(n + 1), account: n % 3 == 0 ? other : account, labels: n % 2 == 0 ? ["fleet"] : ["spare"])
                    .filter { _ in n % 2 == 0 && n % 3 != 0 }
            }
            let walked = try await Self.walk(app, "/v1/sims?label=fleet", key: key, limit: 3)
            #expect(walked == labelled.sorted(by: >))
            #expect(Set(walked).count == walked.count)
            let middle = walked[walked.count / 2]
            let back = try await Self.before(app, "/v1/sims?label=fleet", key: key, limit: 2, cursor: middle)
            #expect(back == Array(walked[(walked.count / 2 - 2)..<(walked.count / 2)]))
        }
    }

    @Test("events in a time window: every event of the window once, newest first, backwards too", arguments: TestEngine.available)
    func byTime(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("Timed")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            var times: [Date] = []
            for n in 0..<12 {
                app.clock.advance(by: 60)
                times.append(app.clock.now())
                _ = try await app.request(.post, "/v1/sims/\(sim)/\(n % 2 == 0 ? "activate" : "suspend")", key: key)
            }
            let (from, to) = (RFC3339.string(from: times[3]), RFC3339.string(from: times[8]))
            let path = "/v1/events?type=sim.status_changed&created%5Bgte%5D=\(from)&created%5Blte%5D=\(to)"
            let walked = try await Self.walk(app, path, key: key, limit: 2)
            let all = try await app.request(.get, "/v1/events?type=sim.status_changed&limit=100", key: key).items
            let inWindow = all.filter { event in
                guard let created = event["created_at"] as? String, let time = RFC3339.date(from: created) else { return false }
                return time >= times[3] && time <= times[8]
            }.compactMap { $0["id"] as? String }
            #expect(inWindow.count == 6, "\(all.count) events in all")
            #expect(walked == inWindow)
            let back = try await Self.before(app, path, key: key, limit: 2, cursor: walked[4])
            #expect(back == Array(walked[2..<4]))
            // Another account's event is no position in this account's window: it gave an empty
            // page with no more, so a client syncing stopped as if at the end.
            let (otherAccount, otherKey) = try await app.makeCustomer("Other")
            let otherSim = try #require(try await app.importSims(1..<2, account: otherAccount).first)
            _ = try await app.request(.post, "/v1/sims/\(otherSim)/activate", key: otherKey)
            let foreign = try #require(try await app.request(.get, "/v1/events?type=sim.status_changed", key: otherKey).items.first?["id"] as? String)
            let crossed = try await app.request(.get, path + "&starting_after=\(foreign)", key: key)
            #expect(crossed.status == 400 && crossed.code == "invalid_cursor" && crossed.param == "starting_after", "\(crossed.text)")
        }
    }
}
