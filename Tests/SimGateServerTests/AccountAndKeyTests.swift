import Foundation
import HTTPTypes
import NIOCore
import SimGateCore
import SimGateStore
import SimGateTestSupport
import Testing

@Suite("Accounts and API keys")
struct AccountAndKeyTests {
    @Test("the first start creates the operator, whose key creates a customer and a key for it", arguments: TestEngine.available)
    func operatorCreatesCustomer(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes Ltd")
            #expect(key.hasPrefix("sgk_"))
            let me = try await app.request(.get, "/v1/accounts/\(account)", key: key)
            #expect(me.status == 200)
            #expect(me["name"] == "E-Bikes Ltd")
            #expect(me["role"] == "customer")
        }
    }

    @Test("a key's secret is shown once and only its redacted form afterwards", arguments: TestEngine.available)
    func secretShownOnce(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let created = try await app.request(.post, "/v1/api_keys", key: app.operatorKey, json: ["name": "ci"])
            #expect(created.status == 201)
            let secret = try #require(created["secret"])
            let id = try #require(created["id"])
            let fetched = try await app.request(.get, "/v1/api_keys/\(id)", key: app.operatorKey)
            #expect(fetched.json["secret"] == nil)
            #expect(fetched["redacted_secret"].map { !$0.contains(String(secret.suffix(20))) } == true)
            let listed = try await app.request(.get, "/v1/api_keys", key: app.operatorKey)
            #expect(listed.items.allSatisfy { $0["secret"] == nil })
            // Nothing in the database holds the secret either.
            let stored = try await app.database.sqlRead { try await $0.raw("SELECT secret_hash, redacted_secret FROM api_keys").all() }
            for row in stored {
                let hash = try row.decode(column: "secret_hash", as: String.self)
                #expect(hash != secret)
                #expect(!secret.contains(hash))
            }
        }
    }

    @Test("missing, malformed, wrong and revoked keys are refused with 401", arguments: TestEngine.available)
    func badKeys(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (_, key) = try await app.makeCustomer("A")
            #expect(try await app.request(.get, "/v1/sims", key: nil).code == "authentication_required")
            #expect(try await app.request(.get, "/v1/sims", key: "nonsense").code == "invalid_api_key")
            // Right key id, wrong secret.
            let forged = String(key.dropLast(5)) + "XXXXX"
            #expect(try await app.request(.get, "/v1/sims", key: forged).status == 401)
            // The key given twice, in two headers, was read as one list and called not valid.
            var twice = HTTPFields()
            twice.append(HTTPField(name: .authorization, value: "Bearer \(key)"))
            twice.append(HTTPField(name: .authorization, value: "Bearer \(key)"))
            let repeated = try await app.client.executeRequest(uri: "/v1/sims", method: .get, headers: twice, body: nil)
            #expect(repeated.status == .unauthorized && String(buffer: repeated.body).contains("one Authorization header"), "\(String(buffer: repeated.body))")

            let keys = try await app.request(.get, "/v1/api_keys", key: key)
            let keyID = try #require(keys.items.first?["id"] as? String)
            #expect(try await app.request(.get, "/v1/sims", key: key).status == 200)
            let revoked = try await app.request(.delete, "/v1/api_keys/\(keyID)", key: app.operatorKey)
            #expect(revoked.status == 200)
            #expect(revoked["revoked_at"] != nil)
            let after = try await app.request(.get, "/v1/sims", key: key)
            #expect(after.status == 401)
            #expect(after.contentType == "application/problem+json")
        }
    }

    // Several instances on one PostgreSQL: a key revoked through another instance is not
    // announced here; this instance remembers a key it read for one second at most.
    @Test("a key revoked by another instance is refused here once the second it may be remembered has passed", arguments: TestEngine.available)
    func revokedElsewhere(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (_, key) = try await app.makeCustomer("A")
            let keyID = try #require(try await app.request(.get, "/v1/api_keys", key: key).items.first?["id"] as? String)
            #expect(try await app.request(.get, "/v1/sims", key: key).status == 200)
            // Another instance's store: it shares the database but not this instance's commits.
            try await app.database.store.transaction { try await $0.apiKeys.revoke(APIKeyID(trusted: keyID), at: app.clock.now()) }
            #expect(try await app.request(.get, "/v1/sims", key: key).status == 200, "read less than a second ago, so remembered")
            app.clock.advance(by: 1)
            let after = try await app.request(.get, "/v1/sims", key: key)
            #expect(after.status == 401 && after.code == "invalid_api_key")
        }
    }

    @Test("a customer cannot create accounts, and another customer's account and keys are 404", arguments: TestEngine.available)
    func customerLimits(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (accountA, keyA) = try await app.makeCustomer("A")
            let (accountB, _) = try await app.makeCustomer("B")
            #expect(try await app.request(.post, "/v1/accounts", key: keyA, json: ["name": "Evil"]).status == 403)
            #expect(try await app.request(.get, "/v1/accounts/\(accountB)", key: keyA).status == 404)
            #expect(try await app.request(.post, "/v1/api_keys", key: keyA, json: ["account": accountB]).status == 404)
            let listB = try await app.request(.get, "/v1/api_keys?account=\(accountB)", key: keyA)
            #expect(listB.status == 404)
            let accounts = try await app.request(.get, "/v1/accounts", key: keyA)
            #expect(accounts.items.map { $0["id"] as? String } == [accountA])
            // Paged like any list: past its own account a customer's list is empty.
            for (query, shown) in [("starting_after=\(accountA)", false), ("ending_before=\(accountA)", false), ("starting_after=\(accountB)", true), ("ending_before=\(accountB)", false)] {
                let page = try await app.request(.get, "/v1/accounts?\(query)", key: keyA)
                #expect(page.status == 200 && page.items.map { $0["id"] as? String } == (shown ? [accountA] : []), "\(query): \(page.text)")
            }
            let operatorKeys = try await app.request(.get, "/v1/api_keys", key: app.operatorKey)
            let foreignKeyID = try #require(operatorKeys.items.first { ($0["account"] as? String) == accountB }?["id"] as? String)
            #expect(try await app.request(.get, "/v1/api_keys/\(foreignKeyID)", key: keyA).status == 404)
            #expect(try await app.request(.delete, "/v1/api_keys/\(foreignKeyID)", key: keyA).status == 404)
        }
    }
}
