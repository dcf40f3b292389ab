import Foundation
import HTTPTypes
import SimGateTestSupport
import Testing

@Suite("HTTP conventions")
struct HTTPConventionsTests {
    @Test("a known path with a method it does not take is 405 with Allow; an unknown path stays 404")
    func methodNotAllowed() async throws {
        try await TestHarness.run(.sqlite) { app in
            let sim = try #require(try await app.importSims(0..<1).first)
            let wrong = try await app.request(.delete, "/v1/sims/\(sim)", key: app.operatorKey)
            #expect(wrong.status == 405)
            #expect(wrong.code == "method_not_allowed")
            #expect(wrong.headers[.allow] == "GET, POST")
            let put = try await app.request(.put, "/v1/sims", key: app.operatorKey)
            #expect(put.status == 405)
            #expect(put.headers[.allow] == "GET")
            // A literal path beside a parameter one (/v1/sims/bulk, /v1/sims/{id}) takes only
            // its own methods: the 405 said "takes GET, POST, not GET".
            for (path, method, allowed) in [("/v1/sims/bulk", HTTPRequest.Method.get, "POST"), ("/v1/rules/test", .delete, "POST"), ("/v1/sims/import", .get, "POST")] {
                let literal = try await app.request(method, path, key: app.operatorKey)
                #expect(literal.status == 405 && literal.headers[.allow] == allowed, "\(path): \(literal.headers[.allow] ?? "-")")
            }
            // Past a literal the router has no way on: 404, not "takes POST, not POST".
            let beyond = try await app.request(.post, "/v1/sims/import/activate", key: app.operatorKey)
            #expect(beyond.status == 404, "\(beyond.text)")
            let nowhere = try await app.request(.get, "/v1/nowhere", key: app.operatorKey)
            #expect(nowhere.status == 404)
            #expect(nowhere.code == "route_not_found")
        }
    }

    @Test("created[gt] and created[lt] bound event lists exclusively, to the millisecond")
    func exclusiveBounds() async throws {
        try await TestHarness.run(.sqlite) { app in
            let sim = try #require(try await app.importSims(0..<1).first)
            for label in ["one", "two", "three"] {
                app.clock.advance(by: 1)
                _ = try await app.request(.post, "/v1/sims/\(sim)", key: app.operatorKey, json: ["labels": [label]])
            }
            let updates = try await app.request(.get, "/v1/sims/\(sim)/events?type=sim.updated", key: app.operatorKey).items
            try #require(updates.count == 3)
            let middle = try #require(updates[1]["created_at"] as? String)
            let after = try await app.request(.get, "/v1/sims/\(sim)/events?type=sim.updated&created%5Bgt%5D=\(middle)", key: app.operatorKey).items
            #expect(after.map { $0["id"] as? String } == [updates[0]["id"] as? String])
            let before = try await app.request(.get, "/v1/sims/\(sim)/events?type=sim.updated&created[lt]=\(middle)", key: app.operatorKey).items
            #expect(before.map { $0["id"] as? String } == [updates[2]["id"] as? String])
        }
    }
}
