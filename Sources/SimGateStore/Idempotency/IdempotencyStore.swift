import Foundation
import SimGateCore
import SQLKit

/// Remembers the response to each `Idempotency-Key` per account, so a retried POST returns
/// the first outcome instead of acting twice.
public struct IdempotencyStore: Sendable {
    /// What a new request with a key finds.
    public enum Claim: Sendable, Equatable {
        /// The key is new: go ahead, then ``finish`` or ``abandon`` it.
        case claimed
        /// The same request was answered before: replay this.
        case replay(status: Int, body: String)
        /// The key was used with a different request.
        case mismatch
        /// The first request with this key is still running.
        case inProgress
    }

    private let database: SimGateDatabase

    /// A ledger on `database`; each call runs in a transaction of its own.
    public init(database: SimGateDatabase) {
        self.database = database
    }

    /// Claims `key` for a request whose method, path and body hash to `requestHash`.
    public func claim(accountID: AccountID, key: String, requestHash: String, now: Date) async throws -> Claim {
        try await database.sqlTransaction { db in
            let inserted = try await db.raw("""
                INSERT INTO idempotency_keys (account_id, idempotency_key, request_hash, created_at)
                VALUES (\(bind: accountID.rawValue), \(bind: key), \(bind: requestHash), \(bind: now.stored))
                ON CONFLICT DO NOTHING
                RETURNING account_id
                """).all()
            if !inserted.isEmpty { return .claimed }
            guard let row = try await db.select().column("*").from("idempotency_keys")
                .where("account_id", .equal, accountID.rawValue).where("idempotency_key", .equal, key).first()
            else { return .inProgress }
            guard try row.string("request_hash") == requestHash else { return .mismatch }
            guard let status = try row.optionalInt64("response_status"), let body = try row.optionalString("response_body") else {
                return .inProgress
            }
            return .replay(status: Int(status), body: body)
        }
    }

    /// Stores the response given to the claimed key.
    public func finish(accountID: AccountID, key: String, status: Int, body: String) async throws {
        try await database.sqlTransaction { db in
            try await db.update("idempotency_keys").set("response_status", to: Int64(status)).set("response_body", to: body)
                .where("account_id", .equal, accountID.rawValue).where("idempotency_key", .equal, key).run()
        }
    }

    /// Forgets a claimed key whose request failed on the server's side, so a retry may run.
    public func abandon(accountID: AccountID, key: String) async throws {
        try await database.sqlTransaction { db in
            try await db.delete(from: "idempotency_keys")
                .where("account_id", .equal, accountID.rawValue).where("idempotency_key", .equal, key).run()
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
