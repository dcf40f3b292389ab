import Foundation
import HTTPTypes
import SimGateCore
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
            #expect(wrong.headers[.allow] == "GET, HEAD, POST")
            let put = try await app.request(.put, "/v1/sims", key: app.operatorKey)
            #expect(put.status == 405)
            #expect(put.headers[.allow] == "GET, HEAD")
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
            // HEAD is answered wherever GET is, with GET's status and headers and no body (a
            // load balancer's `HEAD /health` got 405); a POST-only path refuses it.
            for path in ["/health", "/openapi.json", "/v1/sims/\(sim)", "/v1/events"] {
                let get = try await app.request(.get, path, key: app.operatorKey)
                let head = try await app.request(.head, path, key: app.operatorKey)
                #expect(head.status == get.status && head.body.isEmpty && head.contentType == get.contentType, "\(path): \(head.status)")
            }
            #expect(try await app.request(.head, "/v1/sims/\(sim)", key: nil).status == 401)
            let headOfPost = try await app.request(.head, "/v1/sims/bulk", key: app.operatorKey)
            #expect(headOfPost.status == 405 && headOfPost.headers[.allow] == "POST")
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
    /// A bound between two stored milliseconds was moved to the nearer one: `created[gte]` of
    /// 38.2804 took in an event of 38.280, and `created[lt]` of 38.2801 left it out.
    @Test("time bounds finer than a millisecond are rounded inwards, for events and shutdown_before")
    func subMillisecondBounds() async throws {
        try await TestHarness.run(.sqlite) { app in
            /// `time` plus `tenths` of a millisecond (-9 to 9), as RFC 3339 with four digits.
            func offset(_ time: String, tenths: Int) throws -> String {
                let milliseconds = try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(time).epochMilliseconds
                let base = tenths < 0 ? milliseconds - 1 : milliseconds
                return String(UTCTimeText.rfc3339(epochMilliseconds: base).dropLast()) + "\((tenths + 10) % 10)Z"
            }
            let sim = try await AOFULifecycleTests.provisionedSim(app)
            _ = try await app.request(.post, "/v1/sims/\(sim)", key: app.operatorKey, json: ["labels": ["one"]])
            let event = try #require(try await app.request(.get, "/v1/sims/\(sim)/events?type=sim.updated", key: app.operatorKey).items.first)
            let stamp = try #require(event["created_at"] as? String)
            func count(_ query: String) async throws -> Int {
                try await app.request(.get, "/v1/sims/\(sim)/events?type=sim.updated&\(query)", key: app.operatorKey).items.count
            }
            let (above, below) = (try offset(stamp, tenths: 4), try offset(stamp, tenths: -4))
            for (query, expected) in [
                ("created[gte]=\(above)", 0), ("created[gt]=\(above)", 0), ("created[lte]=\(above)", 1), ("created[lt]=\(above)", 1),
                ("created[gte]=\(below)", 1), ("created[gt]=\(below)", 1), ("created[lte]=\(below)", 0), ("created[lt]=\(below)", 0),
                ("created[gte]=\(stamp)", 1), ("created[lte]=\(stamp)", 1), ("created[gt]=\(stamp)", 0), ("created[lt]=\(stamp)", 0),
            ] {
                #expect(try await count(query) == expected, "\(query)")
            }

            // shutdown_before is exclusive: a shutdown 0.4 ms before the bound is before it.
            try await AOFULifecycleTests.report(app, .start, input: 1_000, identifier: 1)
            let shutdownAt = try #require(try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)["shutdown_at"])
            for (bound, expected) in [(try offset(shutdownAt, tenths: 4), 1), (shutdownAt, 0), (try offset(shutdownAt, tenths: -4), 0)] {
                let listed = try await app.request(.get, "/v1/sims?shutdown_before=\(bound)", key: app.operatorKey)
                #expect(listed.items.count == expected, "\(bound): \(listed.text)")
            }
        }
    }
}
