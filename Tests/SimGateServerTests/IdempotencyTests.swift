import Foundation
import NIOCore
@testable import SimGateServer
import SimGateStore
import SimGateTestSupport
import Testing

@Suite("Idempotency-Key on POST")
struct IdempotencyTests {
    @Test("the same key and body return the stored response and act once", arguments: TestEngine.available)
    func replay(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let headers = ["Idempotency-Key": "create-acme-1"]
            let first = try await app.request(.post, "/v1/accounts", key: app.operatorKey, json: ["name": "Acme"], headers: headers)
            let second = try await app.request(.post, "/v1/accounts", key: app.operatorKey, json: ["name": "Acme"], headers: headers)
            #expect(first.status == 201)
            #expect(second.status == 201)
            #expect(second.body == first.body)
            #expect(second.headers[.init("Idempotent-Replayed")!] == "true")
            let accounts = try await app.request(.get, "/v1/accounts?limit=100", key: app.operatorKey)
            #expect(accounts.items.filter { $0["name"] as? String == "Acme" }.count == 1)
        }
    }

    @Test("a key left by an instance killed before it committed anything runs again once its claim is 10 s old; one killed after is never run twice", arguments: TestEngine.available)
    func claimsLeftByAKilledInstance(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let accounts = try await app.request(.get, "/v1/accounts?limit=100", key: app.operatorKey).items
            let operatorAccount = try #require(accounts.first { $0["role"] as? String == "operator" }?["id"] as? String)
            func named(_ name: String) async throws -> Int {
                try await app.request(.get, "/v1/accounts?limit=100", key: app.operatorKey).items.filter { $0["name"] as? String == name }.count
            }

            // Killed before its work committed: the claim is all there is.
            let early = #"{"name": "Early"}"#
            let hash = IdempotencyLayer.fingerprint(method: "POST", path: "/v1/accounts", body: Data(early.utf8))
            try await app.database.sqlTransaction { db in
                try await db.raw("""
                    INSERT INTO idempotency_keys (account_id, idempotency_key, request_hash, created_at, claim_token)
                    VALUES (\(bind: operatorAccount), 'killed-early', \(bind: hash), \(bind: app.clock.now().epochMilliseconds), 'dead-instance')
                    """).run()
            }
            let soon = try await app.request(.post, "/v1/accounts", key: app.operatorKey, rawBody: early, headers: ["Idempotency-Key": "killed-early"])
            #expect(soon.status == 409 && soon.code == "idempotency_key_in_use", "\(soon.text)")
            app.clock.advance(by: IdempotencyStore.lease)
            let retried = try await app.request(.post, "/v1/accounts", key: app.operatorKey, rawBody: early, headers: ["Idempotency-Key": "killed-early"])
            #expect(retried.status == 201, "\(retried.text)")
            let replayed = try await app.request(.post, "/v1/accounts", key: app.operatorKey, rawBody: early, headers: ["Idempotency-Key": "killed-early"])
            #expect(replayed.status == 201 && replayed["id"] == retried["id"])
            #expect(try await named("Early") == 1)

            // Killed after its work committed, before its answer was stored.
            let late = #"{"name": "Late"}"#
            #expect(try await app.request(.post, "/v1/accounts", key: app.operatorKey, rawBody: late, headers: ["Idempotency-Key": "killed-late"]).status == 201)
            try await app.database.sqlTransaction { db in
                try await db.raw("UPDATE idempotency_keys SET response_status = NULL, response_body = NULL WHERE idempotency_key = 'killed-late'").run()
            }
            let busy = try await app.request(.post, "/v1/accounts", key: app.operatorKey, rawBody: late, headers: ["Idempotency-Key": "killed-late"])
            #expect(busy.status == 409 && busy.code == "idempotency_key_in_use", "\(busy.text)")
            app.clock.advance(by: IdempotencyStore.lease)
            let interrupted = try await app.request(.post, "/v1/accounts", key: app.operatorKey, rawBody: late, headers: ["Idempotency-Key": "killed-late"])
            #expect(interrupted.status == 409 && interrupted.code == "idempotency_key_interrupted", "\(interrupted.text)")
            #expect(try await named("Late") == 1)
        }
    }

    @Test("the same key with another body is a 400 and does nothing", arguments: TestEngine.available)
    func mismatch(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let headers = ["Idempotency-Key": "k-42"]
            _ = try await app.request(.post, "/v1/accounts", key: app.operatorKey, json: ["name": "One"], headers: headers)
            let other = try await app.request(.post, "/v1/accounts", key: app.operatorKey, json: ["name": "Two"], headers: headers)
            #expect(other.status == 400)
            #expect(other.code == "idempotency_key_reused")
            let accounts = try await app.request(.get, "/v1/accounts?limit=100", key: app.operatorKey)
            #expect(!accounts.text.contains("\"Two\""))
        }
    }

    @Test("a refused action is replayed as the same refusal, and keys are separate per account", arguments: TestEngine.available)
    func errorsReplayAndAccountsAreSeparate(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("A")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let headers = ["Idempotency-Key": "suspend-1"]
            let refused = try await app.request(.post, "/v1/sims/\(sim)/suspend", key: key, headers: headers)
            #expect(refused.code == "sim_not_provisioned")
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
            let replayed = try await app.request(.post, "/v1/sims/\(sim)/suspend", key: key, headers: headers)
            #expect(replayed.status == 409)
            #expect(replayed.body == refused.body)
            #expect(replayed.contentType == "application/problem+json")
            // The operator's identical key is its own.
            let operatorSuspend = try await app.request(.post, "/v1/sims/\(sim)/suspend", key: app.operatorKey, headers: headers)
            #expect(operatorSuspend["status"] == "OFFLINE")
        }
    }

    /// A header's bytes that are not UTF-8 reach the handler each as U+FFFD, so different
    /// Latin-1 keys were one stored key: a second request with the same body got the first
    /// one's answer replayed and never ran, one with another body a 400 about a key it never
    /// used. Before the fix the first of these two requests was taken (201).
    @Test("a key whose bytes are not UTF-8 is refused, not merged with other such keys")
    func keyNotUTF8() async throws {
        try await TestHarness.run(.sqlite) { app in
            let port = try #require(app.client.port)
            var answers: [String] = []
            for (byte, name) in [(UInt8(0xE9), "First"), (UInt8(0xE8), "Second")] {
                let body = #"{"name": "\#(name)"}"#
                let head = "POST /v1/accounts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(app.operatorKey)\r\nContent-Type: application/json\r\n"
                let tail = "\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
                let (channel, answered) = try await HTTPConnectionBoundsTests.RawConnection.open(port: port)
                try await channel.writeAndFlush(ByteBuffer(bytes: Array(head.utf8) + Array("Idempotency-Key: order-".utf8) + [byte] + Array(tail.utf8))).get()
                answers.append(try await answered.get())
            }
            for answer in answers {
                #expect(answer.hasPrefix("HTTP/1.1 400") && answer.contains("invalid_idempotency_key"), "\(answer.prefix(400))")
            }
            let accounts = try await app.request(.get, "/v1/accounts?limit=100", key: app.operatorKey)
            #expect(!accounts.items.contains { ["First", "Second"].contains($0["name"] as? String) }, "\(accounts.text)")
        }
    }

    /// A key was measured in what a reader sees as characters: one letter and 20,000 combining
    /// marks was one, and its 40 KB were stored. Two keys on one request were taken as one.
    @Test("a key has 1 to 255 Unicode scalars and comes once")
    func keyBounds() async throws {
        try await TestHarness.run(.sqlite) { app in
            for key in ["a" + String(repeating: "\u{0301}", count: 20_000), String(repeating: "k", count: 256), "é" + String(repeating: "\u{0301}", count: 255)] {
                let reply = try await app.request(.post, "/v1/accounts", key: app.operatorKey, json: ["name": "Acme"], headers: ["Idempotency-Key": key])
                #expect(reply.status == 400 && reply.code == "invalid_idempotency_key" && reply.param == "Idempotency-Key")
            }
            let fine = try await app.request(.post, "/v1/accounts", key: app.operatorKey, json: ["name": "Acme"], headers: ["Idempotency-Key": String(repeating: "é", count: 255)])
            #expect(fine.status == 201)
            let port = try #require(app.client.port)
            let body = #"{"name": "Twice"}"#
            let (_, answered) = try await HTTPConnectionBoundsTests.RawConnection.open(port: port, sending: """
                POST /v1/accounts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(app.operatorKey)\r\nContent-Type: application/json\r\n\
                Idempotency-Key: one\r\nIdempotency-Key: two\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)
                """)
            let answer = try await answered.get()
            #expect(answer.hasPrefix("HTTP/1.1 400") && answer.contains("invalid_idempotency_key"), "\(answer)")
            #expect(try await app.request(.get, "/v1/accounts?limit=100", key: app.operatorKey).items.allSatisfy { $0["name"] as? String != "Twice" })
        }
    }

    @Test("two requests racing with one key act once", arguments: TestEngine.available)
    func concurrentRequests(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let replies = try await withThrowingTaskGroup(of: TestReply.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await app.request(.post, "/v1/accounts", key: app.operatorKey, json: ["name": "Racer"], headers: ["Idempotency-Key": "race"])
                    }
                }
                return try await group.reduce(into: [TestReply]()) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.status == 201 || $0.code == "idempotency_key_in_use" })
            let accounts = try await app.request(.get, "/v1/accounts?limit=100", key: app.operatorKey)
            #expect(accounts.items.filter { $0["name"] as? String == "Racer" }.count == 1)
        }
    }
}
