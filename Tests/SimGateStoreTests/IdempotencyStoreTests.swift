import Foundation
import SimGateCore
import SimGateStore
import SimGateTestSupport
import Testing

@Suite("Idempotency keys")
struct IdempotencyStoreTests {
    @Test("a key is claimed once, replays its response, refuses another request, and expires", arguments: TestEngine.available)
    func lifecycle(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let store = IdempotencyStore(database: database)
            let account = AccountID(trusted: "acct_test")
            let now = Date()
            #expect(try await store.claim(accountID: account, key: "k1", requestHash: "h1", now: now) == .claimed)
            #expect(try await store.claim(accountID: account, key: "k1", requestHash: "h1", now: now) == .inProgress)
            try await store.finish(accountID: account, key: "k1", status: 201, body: "{}")
            #expect(try await store.claim(accountID: account, key: "k1", requestHash: "h1", now: now) == .replay(status: 201, body: "{}"))
            #expect(try await store.claim(accountID: account, key: "k1", requestHash: "h2", now: now) == .mismatch)
            // Keys are per account.
            #expect(try await store.claim(accountID: AccountID(trusted: "acct_other"), key: "k1", requestHash: "h2", now: now) == .claimed)

            #expect(try await store.purge(createdBefore: now + 1) == 2)
            #expect(try await store.claim(accountID: account, key: "k1", requestHash: "h2", now: now) == .claimed)
        }
    }
}
