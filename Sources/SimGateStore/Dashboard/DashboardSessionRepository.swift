import Foundation
import SimGateCore
import SQLKit

/// A dashboard session as stored: the key it acts with, its form token and when it ends.
public struct DashboardSession: Sendable, Equatable {
    /// SHA-256 (hex) of the session cookie's value.
    public let tokenHash: String
    /// The API key the browser signed in with; the session acts with its account and scope.
    public let keyID: APIKeyID
    /// The token every form of the session carries, against cross-site requests.
    public let csrfToken: String
    /// When it began.
    public let createdAt: Date
    /// When it stops working.
    public let expiresAt: Date

    /// A session with every part given.
    public init(tokenHash: String, keyID: APIKeyID, csrfToken: String, createdAt: Date, expiresAt: Date) {
        self.tokenHash = tokenHash
        self.keyID = keyID
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// Dashboard sessions.
public struct DashboardSessionRepository: Sendable {
    /// The connection (inside its transaction) every query here runs on.
    let db: any SQLDatabase

    /// Stores a new session.
    public func insert(_ session: DashboardSession) async throws {
        try await db.insert(into: "dashboard_sessions").columns("token_hash", "key_id", "csrf_token", "created_at", "expires_at")
            .values(
                SQLBind(session.tokenHash), SQLBind(session.keyID.rawValue), SQLBind(session.csrfToken), SQLBind(session.createdAt.stored),
                SQLBind(session.expiresAt.stored)
            ).run()
    }

    /// The session whose cookie hashes to `tokenHash`, if it has not ended by `now`.
    public func find(tokenHash: String, now: Date) async throws -> DashboardSession? {
        try await db.select().column("*").from("dashboard_sessions").where("token_hash", .equal, tokenHash)
            .where("expires_at", .greaterThan, now.stored).first().map { row in
                DashboardSession(
                    tokenHash: try row.string("token_hash"), keyID: APIKeyID(trusted: try row.string("key_id")), csrfToken: try row.string("csrf_token"),
                    createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at")
                )
            }
    }

    /// Ends the session (sign-out).
    public func delete(tokenHash: String) async throws {
        try await db.delete(from: "dashboard_sessions").where("token_hash", .equal, tokenHash).run()
    }

    /// Forgets sessions that ended before `time`.
    public func purge(endedBefore time: Date) async throws {
        try await db.delete(from: "dashboard_sessions").where("expires_at", .lessThan, time.stored).run()
    }
}
