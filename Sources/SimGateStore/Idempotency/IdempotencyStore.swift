import Foundation
import SimGateCore
import SQLKit

/// Remembers the response to each `Idempotency-Key` per account, so a retried POST returns
/// the first outcome instead of acting twice.
public struct IdempotencyStore: Sendable {
    /// What a new request with a key finds.
    public enum Claim: Sendable, Equatable {
        /// The key is this request's, under `token`: go ahead (inside ``IdempotencyClaim``),
        /// then ``finish`` or ``abandon`` it.
        case claimed(token: String)
        /// The same request was answered before: replay this.
        case replay(status: Int, body: String)
        /// The key was used with a different request.
        case mismatch
        /// The first request with this key is still running.
        case inProgress
        /// The first request's work was committed, but its instance stopped before the answer
        /// was stored: there is nothing to replay, and running it again would act twice.
        case interrupted
    }

    /// How long a claim with no answer counts as running since it was made or last renewed
    /// (its request renews it every ``renewal`` while it runs). Past it, a claim that committed
    /// nothing was left by an instance that died, and the key's next request takes it over.
    public static let lease: TimeInterval = 10
    /// How often a running request renews its claim.
    public static let renewal: Duration = .seconds(3)

    private let database: SimGateDatabase

    /// A ledger on `database`; each call runs in a transaction of its own.
    public init(database: SimGateDatabase) {
        self.database = database
    }

    /// Claims `key` for a request whose method, path and body hash to `requestHash`.
    public func claim(accountID: AccountID, key: String, requestHash: String, now: Date) async throws -> Claim {
        let token = UUID().uuidString
        return try await database.sqlTransaction { db in
            let inserted = try await db.raw("""
                INSERT INTO idempotency_keys (account_id, idempotency_key, request_hash, created_at, claim_token)
                VALUES (\(bind: accountID.rawValue), \(bind: key), \(bind: requestHash), \(bind: now.stored), \(bind: token))
                ON CONFLICT DO NOTHING
                RETURNING account_id
                """).all()
            if !inserted.isEmpty { return .claimed(token: token) }
            guard let row = try await db.select().column("*").from("idempotency_keys")
                .where("account_id", .equal, accountID.rawValue).where("idempotency_key", .equal, key).first()
            else { return .inProgress }
            guard try row.string("request_hash") == requestHash else { return .mismatch }
            if let status = try row.optionalInt64("response_status"), let body = try row.optionalString("response_body") {
                return .replay(status: Int(status), body: body)
            }
            let claimedAt = try row.int64("created_at")
            guard claimedAt <= now.addingTimeInterval(-Self.lease).stored else { return .inProgress }
            // A claim with no token was made by a build that did not mark its work: it may have
            // committed some, so it counts as having done so.
            if try row.int64("effect_committed") != 0 || row.optionalString("claim_token") == nil { return .interrupted }
            // Nothing of the first claim was committed, and its unit of work, if it ever comes,
            // checks the token it claimed with: taking the key over cannot act twice.
            let taken = try await db.raw("""
                UPDATE idempotency_keys SET claim_token = \(bind: token), created_at = \(bind: now.stored)
                WHERE account_id = \(bind: accountID.rawValue) AND idempotency_key = \(bind: key)
                AND response_status IS NULL AND effect_committed = 0 AND created_at = \(bind: claimedAt)
                RETURNING account_id
                """).all()
            return taken.isEmpty ? .inProgress : .claimed(token: token)
        }
    }

    /// Records, inside a unit of work of `claim`'s request, that it commits work. A claim taken
    /// over meanwhile makes it throw ``IdempotencyClaimLost``, and the unit of work roll back.
    static func recordEffect(of claim: IdempotencyClaim, on db: any SQLDatabase) async throws {
        let marked = try await db.raw("""
            UPDATE idempotency_keys SET effect_committed = 1
            WHERE account_id = \(bind: claim.accountID.rawValue) AND idempotency_key = \(bind: claim.key) AND claim_token = \(bind: claim.token)
            RETURNING account_id
            """).all()
        guard !marked.isEmpty else { throw IdempotencyClaimLost() }
    }

    /// Stores the response given to the key claimed under `token`.
    public func finish(accountID: AccountID, key: String, token: String, status: Int, body: String) async throws {
        try await database.sqlTransaction { db in
            try await db.update("idempotency_keys").set("response_status", to: Int64(status)).set("response_body", to: body)
                .where("account_id", .equal, accountID.rawValue).where("idempotency_key", .equal, key).where("claim_token", .equal, token).run()
        }
    }

    /// Forgets a key claimed under `token` whose request failed on the server's side, so a
    /// retry may run, unless some of its work was committed: a retry would then do it twice,
    /// and the key stays (`idempotency_key_interrupted` once its claim runs out).
    public func abandon(accountID: AccountID, key: String, token: String) async throws {
        try await database.sqlTransaction { db in
            try await db.delete(from: "idempotency_keys")
                .where("account_id", .equal, accountID.rawValue).where("idempotency_key", .equal, key).where("claim_token", .equal, token)
                .where("effect_committed", .equal, 0).run()
        }
    }

    /// Renews the claim under `token` as of `now`, while its request runs; `false` once it is
    /// no longer that request's.
    @discardableResult
    public func renew(accountID: AccountID, key: String, token: String, now: Date) async throws -> Bool {
        try await database.sqlTransaction { db in
            try await !db.raw("""
                UPDATE idempotency_keys SET created_at = \(bind: now.stored)
                WHERE account_id = \(bind: accountID.rawValue) AND idempotency_key = \(bind: key) AND claim_token = \(bind: token)
                AND response_status IS NULL
                RETURNING account_id
                """).all().isEmpty
        }
    }

    /// Deletes keys created before `cutoff`; returns how many.
    @discardableResult
    public func purge(createdBefore cutoff: Date) async throws -> Int {
        try await database.sqlTransaction { db in
            try await db.raw("DELETE FROM idempotency_keys WHERE created_at < \(bind: cutoff.stored) RETURNING account_id").all().count
        }
    }
}

/// The `Idempotency-Key` claim the current request runs under: each unit of work it commits
/// records so in the same transaction (``Store/transaction(_:)``).
public struct IdempotencyClaim: Sendable {
    /// The caller's account.
    public let accountID: AccountID
    /// The key.
    public let key: String
    /// The claim's own token.
    public let token: String

    /// A claim of `key` for `accountID` under `token`.
    public init(accountID: AccountID, key: String, token: String) {
        self.accountID = accountID
        self.key = key
        self.token = token
    }

    /// The claim of the request being served, if it carries a key.
    @TaskLocal public static var current: IdempotencyClaim?
}

/// The request's key was taken over by a retry (its instance looked dead): its work must not
/// be committed, as the retry's will be.
public struct IdempotencyClaimLost: Error, Sendable {}
