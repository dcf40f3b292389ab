import Foundation
import SimGateCore
import SimGateStore
import SimGateTestSupport
import Testing

/// Tenants' data and secrets kept apart, as an attacker and a careless integrator tried them.
@Suite("Tenants, secrets and keys")
struct TenantsAndSecretsTests {
    @Test("a replayed key creation never shows the secret again, and no secret is stored for replays", arguments: TestEngine.available)
    func secretsAreNotKeptForReplays(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let headers = ["Idempotency-Key": "make-key-1"]
            // The same bytes twice: a replay is recognised by its exact body.
            let body = #"{"name": "backend", "account": "\#(app.fleetAccount)"}"#
            let first = try await app.request(.post, "/v1/api_keys", key: app.operatorKey, rawBody: body, headers: headers)
            let secret = try #require(first["secret"])
            let replay = try await app.request(.post, "/v1/api_keys", key: app.operatorKey, rawBody: body, headers: headers)
            #expect(replay.status == 201)
            #expect(replay["id"] == first["id"])
            #expect(replay.json["secret"] == nil)
            #expect(replay.headers[.init("Secret-Redacted")!] == "true")
            #expect(!replay.text.contains(secret))

            let gateway = try await app.request(.post, "/v1/payment_gateways", key: app.operatorKey, json: ["kind": "generic", "account": app.fleetAccount], headers: ["Idempotency-Key": "gw-1"])
            let generated = try #require(gateway["secret"])
            let stored = try await app.database.sqlRead { db in
                try await db.raw("SELECT response_body FROM idempotency_keys").all().map { try $0.decode(column: "response_body", as: String?.self) ?? "" }
            }
            #expect(stored.count >= 2)
            #expect(!stored.contains { $0.contains(secret) || $0.contains(generated) }, "a secret is stored for replays")
        }
    }

    @Test("a SIM handed to another customer carries nothing of the first: metadata, labels, holds, first use, usage, sessions", arguments: TestEngine.available)
    func previousOwnerDoesNotShow(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (accountA, keyA) = try await app.makeCustomer("A")
            let (accountB, keyB) = try await app.makeCustomer("B")
            let sim = try #require(try await app.importSims(0..<1, account: accountA).first)
            _ = try await app.request(.post, "/v1/sims/\(sim)", key: keyA, json: ["metadata": ["rider": "rider@example.com"], "labels": ["fleet-a"]])
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: keyA)
            try await RADIUSAccountingTests.send(app, [
                RADIUSAccountingTests.accounting(.start, session: "a-1", imsi: Fixtures.imsi(0), input: 0, output: 0, identifier: 1),
                RADIUSAccountingTests.accounting(.interimUpdate, session: "a-1", imsi: Fixtures.imsi(0), input: 500, output: 700, identifier: 2, imeisv: "4901542032375101"),
            ])
            _ = try await app.request(.post, "/v1/sims/\(sim)/suspend", key: keyA, json: ["reason": "rider stopped paying"])
            // A's own words on why the SIM left service are A's too.
            let unprovisioned = try await app.request(.post, "/v1/sims/\(sim)/unprovision", key: keyA, json: ["reason": "rider owes 40 EUR"])
            let causeOfA = try #require((unprovisioned.json["status_cause"] as? [String: Any])?["actor"] as? [String: Any])
            let assigned = try await app.request(.post, "/v1/sims/\(sim)/assign", key: app.operatorKey, json: ["account": accountB])
            #expect(assigned.status == 200, "\(assigned.text)")

            let seen = try await app.request(.get, "/v1/sims/\(sim)", key: keyB).json
            // The status stays, but who set it and when are the handover's, not A's.
            let cause = try #require(seen["status_cause"] as? [String: Any])
            #expect((cause["actor"] as? [String: Any])?["id"] as? String != causeOfA["id"] as? String, "\(cause)")
            #expect(seen["status_changed_at"] as? String == assigned.json["updated_at"] as? String)
            #expect((seen["metadata"] as? [String: Any])?.isEmpty == true)
            #expect((seen["labels"] as? [Any])?.isEmpty == true)
            #expect((seen["holds"] as? [Any])?.isEmpty == true)
            #expect(seen["first_use_at"] is NSNull)
            #expect(seen["imei"] is NSNull)
            #expect(seen["last_seen"] is NSNull)
            #expect(!String(describing: seen).contains("rider"))
            #expect(try await app.request(.get, "/v1/sims/\(sim)/usage", key: keyB).items.isEmpty)
            #expect(try await app.request(.get, "/v1/sims/\(sim)/sessions", key: keyB).items.isEmpty)
            #expect(try await app.request(.get, "/v1/sims/\(sim)/events?limit=100", key: keyB).items.allSatisfy {
                !String(describing: $0).contains("rider")
            })
            // A's history keeps its usage and records that the SIM left.
            #expect(try await app.request(.get, "/v1/usage", key: keyA).items.first?["bytes_up"] as? Int == 500)
            let left = try await app.request(.get, "/v1/events?type=sim.unassigned", key: keyA).items
            #expect(left.count == 1)
            // The SIM as it left A: with no account, never A's own (it said the SIM went from A
            // to A) nor B's.
            let leftObject = try #require((left.first?["data"] as? [String: Any])?["object"] as? [String: Any])
            #expect(leftObject["account"] is NSNull, "\(leftObject)")
            #expect(((left.first?["data"] as? [String: Any])?["previous_attributes"] as? [String: Any])?["account"] as? String == accountA)
        }
    }

    @Test("usage from before SimGate knew the SIM is its first holder's, never a later owner's", arguments: TestEngine.available)
    func usageBeforeTheSimWasImported(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (accountA, keyA) = try await app.makeCustomer("A")
            let (accountB, keyB) = try await app.makeCustomer("B")
            let (accountC, keyC) = try await app.makeCustomer("C")
            let toA = try #require(try await app.importSims(0..<1, account: accountA).first)
            let inStock = try #require(try await app.importSims(1..<2, stock: true).first)
            app.at(day: 3)
            #expect(try await app.request(.post, "/v1/sims/\(toA)/assign", key: app.operatorKey, json: ["account": accountB]).status == 200)
            #expect(try await app.request(.post, "/v1/sims/\(inStock)/assign", key: app.operatorKey, json: ["account": accountC]).status == 200)

            // Ended a month before either SIM was imported, on 2027-01-01.
            func early(_ n: Int) -> [String: Any] {
                ["records": [[
                    "id": "early-\(n)", "sim": Fixtures.iccid(n), "started_at": "2026-12-01T10:00:00Z", "ended_at": "2026-12-01T11:00:00Z",
                    "bytes_up": 700, "bytes_down": 0,
                ]]]
            }
            for (n, key) in [(0, keyB), (1, keyC)] {
                let refused = try await app.request(.post, "/v1/usage_records", key: key, json: early(n))
                #expect((refused.json["errors"] as? [[String: Any]])?.first?["code"] as? String == "sim_not_held", "\(refused.text)")
            }
            // A no longer sees the SIM; the operator sends A's record for it.
            #expect(try await app.request(.post, "/v1/usage_records", key: app.operatorKey, json: early(0)).json["accepted"] as? Int == 1)
            for (sim, key) in [(toA, keyB), (inStock, keyC)] {
                let seen = try await app.request(.get, "/v1/sims/\(sim)", key: key).json
                #expect(seen["first_use_at"] is NSNull, "\(seen)")
                #expect(try await app.request(.get, "/v1/usage?granularity=month&from=2026-12-01T00:00:00Z", key: key).items.isEmpty)
            }
            let ofA = try await app.request(.get, "/v1/usage?granularity=month&from=2026-12-01T00:00:00Z", key: keyA).items
            #expect(ofA.first?["bytes_up"] as? Int == 700, "\(ofA)")
        }
    }

    @Test("usage the next owner makes in the month the SIM changed hands never adds to the former owner's totals", arguments: TestEngine.available)
    func usageAfterHandoverStaysWithNewOwner(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (accountA, keyA) = try await app.makeCustomer("A")
            let (accountB, keyB) = try await app.makeCustomer("B")
            let sim = try #require(try await app.importSims(0..<1, account: accountA).first)
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: keyA)
            try await RADIUSAccountingTests.send(app, [
                RADIUSAccountingTests.accounting(.start, session: "a-1", imsi: Fixtures.imsi(0), input: 0, output: 0, identifier: 1),
                RADIUSAccountingTests.accounting(.interimUpdate, session: "a-1", imsi: Fixtures.imsi(0), input: 500, output: 700, identifier: 2),
                RADIUSAccountingTests.accounting(.stop, session: "a-1", imsi: Fixtures.imsi(0), input: 500, output: 700, identifier: 3),
            ])
            _ = try await app.request(.post, "/v1/sims/\(sim)/unprovision", key: keyA)
            #expect(try await app.request(.post, "/v1/sims/\(sim)/assign", key: app.operatorKey, json: ["account": accountB]).status == 200)
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: keyB)
            try await RADIUSAccountingTests.send(app, [
                RADIUSAccountingTests.accounting(.start, session: "b-1", imsi: Fixtures.imsi(0), input: 0, output: 0, identifier: 4),
                RADIUSAccountingTests.accounting(.interimUpdate, session: "b-1", imsi: Fixtures.imsi(0), input: 30_000, output: 40_000, identifier: 5),
            ])

            for path in ["/v1/usage", "/v1/usage?granularity=month"] {
                let ofA = try await app.request(.get, path, key: keyA).items
                #expect(ofA.count == 1 && ofA.first?["bytes_up"] as? Int == 500 && ofA.first?["bytes_down"] as? Int == 700, "\(ofA)")
                let ofB = try await app.request(.get, path, key: keyB).items
                #expect(ofB.count == 1 && ofB.first?["bytes_up"] as? Int == 30_000 && ofB.first?["bytes_down"] as? Int == 40_000, "\(ofB)")
            }
            let simOfB = try await app.request(.get, "/v1/sims/\(sim)/usage?granularity=month", key: keyB).items
            #expect(simOfB.first?["bytes_up"] as? Int == 30_000, "\(simOfB)")
            let everyone = try await app.request(.get, "/v1/usage?granularity=month&account=\(accountA)", key: app.operatorKey).items
            #expect(everyone.first?["bytes_up"] as? Int == 500, "\(everyone)")
        }
    }

    @Test("the operator's suspension is a hold the customer cannot lift, forced or not", arguments: TestEngine.available)
    func operatorHold(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("A")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
            let locked = try await app.request(.post, "/v1/sims/\(sim)/suspend", key: app.operatorKey, json: ["reason": "fraud lock"])
            #expect((locked.json["holds"] as? [[String: Any]])?.map { $0["cause"] as? String } == ["operator"])
            // Not "activate with force" (sim_has_holds): no force lifts it for a customer.
            let tried = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
            #expect(tried.status == 409)
            #expect(tried.code == "operator_hold")
            let forced = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key, json: ["force": true])
            #expect(forced.status == 409)
            #expect(forced.code == "operator_hold")
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: key)["status"] == "OFFLINE")
            #expect(try await app.request(.post, "/v1/sims/\(sim)/activate", key: app.operatorKey)["status"] == "LIVE")
        }
    }

    @Test("a stock SIM with no account cannot go LIVE, and RADIUS turns it away", arguments: TestEngine.available)
    func stockSimStaysOff(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try #require(try await app.importSims(0..<1, stock: true).first)
            let refused = try await app.request(.post, "/v1/sims/\(sim)/activate", key: app.operatorKey)
            #expect(refused.status == 409)
            #expect(refused.code == "sim_unassigned")
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)["status"] == "INVENTORY")
            let asked = RADIUSAccessTests.accessRequest(imsi: Fixtures.imsi(0), userName: "pgw", identifier: 1)
            #expect(try await RADIUSAccessTests.ask(app, asked) == (.accessReject, "SIM is INVENTORY"))
        }
    }

    @Test("the operator's last key cannot be revoked; with another key it can", arguments: TestEngine.available)
    func lastOperatorKey(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let keys = try await app.request(.get, "/v1/api_keys", key: app.operatorKey).items
            let own = try #require(keys.first { ($0["account"] as? String)?.isEmpty == false && $0["name"] as? String == "operator bootstrap" }?["id"] as? String)
            let refused = try await app.request(.delete, "/v1/api_keys/\(own)", key: app.operatorKey)
            #expect(refused.status == 409, "\(refused.text)")
            #expect(refused.code == "last_operator_key")
            #expect(try await app.request(.get, "/v1/accounts", key: app.operatorKey).status == 200)
            let spare = try #require(try await app.request(.post, "/v1/api_keys", key: app.operatorKey, json: ["name": "spare"])["secret"])
            #expect(try await app.request(.delete, "/v1/api_keys/\(own)", key: app.operatorKey).status == 200)
            #expect(try await app.request(.get, "/v1/accounts", key: spare).status == 200)
        }
    }

    @Test("a read-only key reads and does nothing else, not even make keys")
    func readOnlyKey() async throws {
        try await TestHarness.run(.sqlite) { app in
            let (account, key) = try await app.makeCustomer("A")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let created = try await app.request(.post, "/v1/api_keys", key: key, json: ["name": "dashboard", "scope": "read_only"])
            #expect(created["scope"] == "read_only")
            let readOnly = try #require(created["secret"])
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: readOnly).status == 200)
            for (path, body) in [("/v1/sims/\(sim)/activate", [String: Any]()), ("/v1/api_keys", ["name": "escalate"])] {
                let refused = try await app.request(.post, path, key: readOnly, json: body)
                #expect(refused.status == 403)
                #expect(refused.code == "read_only_key")
            }
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: key)["status"] == "INVENTORY")
            #expect(try await app.request(.post, "/v1/api_keys", key: key, json: ["name": "x", "scope": "admin"]).param == "scope")
        }
    }

    @Test("the key works as Bearer in any case and as Basic user name; a 401 carries a Bearer challenge")
    func authenticationSchemes() async throws {
        try await TestHarness.run(.sqlite) { app in
            #expect(try await app.request(.get, "/v1/accounts", key: nil, headers: ["Authorization": "bearer \(app.operatorKey)"]).status == 200)
            // Blanks and tabs between the scheme and the key are not part of the key.
            #expect(try await app.request(.get, "/v1/accounts", key: nil, headers: ["Authorization": "Bearer \t \(app.operatorKey)"]).status == 200)
            let basic = Data("\(app.operatorKey):".utf8).base64EncodedString()
            #expect(try await app.request(.get, "/v1/accounts", key: nil, headers: ["Authorization": "Basic \(basic)"]).status == 200)
            let missing = try await app.request(.get, "/v1/accounts", key: nil)
            #expect(missing.status == 401)
            #expect(missing.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            let wrong = try await app.request(.get, "/v1/accounts", key: "sgk_nope")
            #expect(wrong.status == 401)
            #expect(wrong.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
        }
    }

    @Test("a time written is the time read back and the time a filter finds, to the millisecond", arguments: TestEngine.available)
    func timesRoundTrip(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("A")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            for millisecond in [1, 123, 999, 7, 500] {
                app.clock.set(Date(timeIntervalSince1970: 1_798_761_600 + Double(millisecond) / 1_000 + 0.000_000_4))
                _ = try await app.request(.post, "/v1/sims/\(sim)", key: key, json: ["labels": ["t\(millisecond)"]])
                let event = try #require(try await app.request(.get, "/v1/sims/\(sim)/events?limit=1", key: key).items.first)
                let created = try #require(event["created_at"] as? String)
                #expect(created.hasSuffix(String(format: ".%03dZ", millisecond)), "\(created)")
                let found = try await app.request(.get, "/v1/events?created%5Bgte%5D=\(created)&limit=100", key: key)
                #expect(found.items.contains { $0["id"] as? String == event["id"] as? String }, "\(found.text)")
            }
        }
    }
}
