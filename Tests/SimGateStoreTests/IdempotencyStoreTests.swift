import Foundation
import SimGateCore
@testable import SimGateStore
import SimGateTestSupport
import Testing

@Suite("Idempotency keys")
struct IdempotencyStoreTests {
    static let now = Date(timeIntervalSince1970: 1_798_761_600)

    @Test("a key is claimed once, replays its response, refuses another request, and expires", arguments: TestEngine.available)
    func lifecycle(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let store = IdempotencyStore(database: database)
            let account = AccountID(trusted: "acct_test")
            let now = Self.now
            let token = try #require(try await store.claim(accountID: account, key: "k1", requestHash: "h1", now: now).token, "a new key was not claimed")
            #expect(try await store.claim(accountID: account, key: "k1", requestHash: "h1", now: now) == .inProgress)
            try await store.finish(accountID: account, key: "k1", token: token, status: 201, body: "{}")
            #expect(try await store.claim(accountID: account, key: "k1", requestHash: "h1", now: now) == .replay(status: 201, body: "{}"))
            #expect(try await store.claim(accountID: account, key: "k1", requestHash: "h2", now: now) == .mismatch)
            // Keys are per account.
            #expect(try await store.claim(accountID: AccountID(trusted: "acct_other"), key: "k1", requestHash: "h2", now: now).sameCase == .claimed(token: ""))

            #expect(try await store.purge(createdBefore: now + 1) == 2)
            #expect(try await store.claim(accountID: account, key: "k1", requestHash: "h2", now: now).sameCase == .claimed(token: ""))
        }
    }

    @Test("a claim left by a dead instance is taken over once its lease is out if it committed nothing, and never if it did", arguments: TestEngine.available)
    func claimsLeftBehind(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let keys = IdempotencyStore(database: database)
            let store = Store(database: database, ids: IdentifierGenerator(clock: ManualWallClock(Self.now)))
            let account = AccountID(trusted: "acct_test")
            let later = Self.now + IdempotencyStore.lease

            // Nothing committed: within the lease the key is busy, past it a retry takes it over,
            // and the first request's work, should it come at last, is refused whole.
            let first = try #require(try await keys.claim(accountID: account, key: "quiet", requestHash: "h", now: Self.now).token, "not claimed")
            #expect(try await keys.claim(accountID: account, key: "quiet", requestHash: "h", now: later - 0.001) == .inProgress)
            let second = try #require(try await keys.claim(accountID: account, key: "quiet", requestHash: "h", now: later).token, "a claim that committed nothing was not taken over")
            #expect(second != first)
            #expect(try await keys.claim(accountID: account, key: "quiet", requestHash: "h", now: later) == .inProgress)
            try await database.sqlTransaction { try await $0.raw("CREATE TABLE first_request_work (id INTEGER)").run() }
            await #expect(throws: IdempotencyClaimLost.self) {
                try await IdempotencyClaim.$current.withValue(IdempotencyClaim(accountID: account, key: "quiet", token: first)) {
                    try await store.transaction { tx in try await tx.db.raw("INSERT INTO first_request_work (id) VALUES (1)").run() }
                }
            }
            #expect(try await database.sqlRead { try await $0.raw("SELECT id FROM first_request_work").all() }.isEmpty, "the lost claim's work was committed")
            try await keys.finish(accountID: account, key: "quiet", token: first, status: 201, body: "lost")
            try await keys.finish(accountID: account, key: "quiet", token: second, status: 201, body: "retry")
            #expect(try await keys.claim(accountID: account, key: "quiet", requestHash: "h", now: later) == .replay(status: 201, body: "retry"))

            // Work committed, answer never stored: busy within the lease, then interrupted, never run again.
            let token = try #require(try await keys.claim(accountID: account, key: "done", requestHash: "h", now: Self.now).token, "not claimed")
            try await IdempotencyClaim.$current.withValue(IdempotencyClaim(accountID: account, key: "done", token: token)) {
                try await store.transaction { _ in }
            }
            #expect(try await keys.claim(accountID: account, key: "done", requestHash: "h", now: later - 0.001) == .inProgress)
            #expect(try await keys.claim(accountID: account, key: "done", requestHash: "h", now: later) == .interrupted)
            #expect(try await keys.claim(accountID: account, key: "done", requestHash: "h", now: later + 86_000) == .interrupted)
        }
    }

    @Test("a running request's renewals keep its key; a server error frees the key only if nothing was committed; an earlier build's unanswered claim is never run again", arguments: TestEngine.available)
    func renewalsAndLeftovers(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let keys = IdempotencyStore(database: database)
            let store = Store(database: database, ids: IdentifierGenerator(clock: ManualWallClock(Self.now)))
            let account = AccountID(trusted: "acct_test")
            let lease = IdempotencyStore.lease

            let slow = try #require(try await keys.claim(accountID: account, key: "slow", requestHash: "h", now: Self.now).token, "not claimed")
            #expect(try await keys.renew(accountID: account, key: "slow", token: slow, now: Self.now + lease - 2))
            #expect(try await keys.claim(accountID: account, key: "slow", requestHash: "h", now: Self.now + lease + 2) == .inProgress)
            #expect(try await keys.renew(accountID: account, key: "slow", token: "someone else", now: Self.now + lease) == false)

            // A 5xx after committed work keeps the key: the retry is told, not run again.
            let failing = try #require(try await keys.claim(accountID: account, key: "failing", requestHash: "h", now: Self.now).token, "not claimed")
            try await IdempotencyClaim.$current.withValue(IdempotencyClaim(accountID: account, key: "failing", token: failing)) {
                try await store.transaction { _ in }
            }
            try await keys.abandon(accountID: account, key: "failing", token: failing)
            #expect(try await keys.claim(accountID: account, key: "failing", requestHash: "h", now: Self.now + lease) == .interrupted)
            let clean = try #require(try await keys.claim(accountID: account, key: "clean", requestHash: "h", now: Self.now).token, "not claimed")
            try await keys.abandon(accountID: account, key: "clean", token: clean)
            #expect(try await keys.claim(accountID: account, key: "clean", requestHash: "h", now: Self.now).sameCase == .claimed(token: ""))

            // A claim made before claims had tokens (an earlier build's) may have done its work.
            try await database.sqlTransaction { db in
                try await db.raw("""
                    INSERT INTO idempotency_keys (account_id, idempotency_key, request_hash, created_at)
                    VALUES ('acct_test', 'old-build', 'h', \(bind: Self.now.epochMilliseconds))
                    """).run()
            }
            #expect(try await keys.claim(accountID: account, key: "old-build", requestHash: "h", now: Self.now + lease) == .interrupted)
        }
    }

    @Test("a PostgreSQL URL with an empty port means the default one")
    func emptyPostgresPort() throws {
        #expect(try PostgresURL.clientConfiguration(from: "postgres://u:p@db.example:/simgate").port == 5432)
        #expect(throws: StoreError.self) { try PostgresURL.clientConfiguration(from: "postgres://u:p@db.example:65536/simgate") }
        #expect(try PostgresURL.clientConfiguration(from: "postgres://u:p@[::1]:6543/simgate").port == 6543)
    }
}

extension IdempotencyStore.Claim {
    /// The token of a claim that was made; `nil` for every other answer.
    var token: String? {
        if case .claimed(let token) = self { return token }
        return nil
    }

    /// The claim with any token blanked, to compare cases.
    var sameCase: IdempotencyStore.Claim {
        if case .claimed = self { return .claimed(token: "") }
        return self
    }
}
