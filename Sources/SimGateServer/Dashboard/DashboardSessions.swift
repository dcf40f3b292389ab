import Crypto
import Foundation
import SimGateCore
import SimGateStore

/// Signs browsers in to the dashboard with an API key, and back out. The browser holds a
/// random session token in a cookie; only its SHA-256 is stored. A session acts with the key's
/// account and scope for as long as the key is not revoked, and ends after ``lifetime``.
struct DashboardSessions: Sendable {
    /// Where sessions and keys are.
    let store: Store
    /// Dates sessions.
    let clock: any WallClock
    /// Wakes the open live streams of a session that signs out, so they end at once.
    let feed: LiveFeed

    /// How long a session lasts, in seconds: a working day.
    static let lifetime: TimeInterval = 12 * 3_600
    /// The cookie's name.
    static let cookieName = "simgate_session"

    /// A new session for the key `presented`, with its cookie value; `nil` if the key is not
    /// valid or is revoked.
    func signIn(with presented: String) async throws -> (cookie: String, session: DashboardSession)? {
        guard let keyID = APIKeySecret.keyID(in: presented.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        let now = clock.now()
        let token = RandomText.base62(43), csrf = RandomText.base62(43)
        let session = DashboardSession(
            tokenHash: Self.hash(token), keyID: keyID, csrfToken: csrf, createdAt: now, expiresAt: now.addingTimeInterval(Self.lifetime)
        )
        let accepted = try await store.transaction { tx -> Bool in
            guard let (key, hash) = try await tx.apiKeys.findWithHash(keyID),
                  APIKeySecret.matches(presented.trimmingCharacters(in: .whitespacesAndNewlines), storedHash: hash), key.revokedAt == nil
            else { return false }
            try await tx.dashboardSessions.purge(endedBefore: now)
            try await tx.dashboardSessions.insert(session)
            return true
        }
        return accepted ? (token, session) : nil
    }

    /// The session a cookie value belongs to and who it acts for; `nil` when it has ended, was
    /// signed out, or its key was revoked.
    func resolve(cookie: String) async throws -> (session: DashboardSession, principal: Principal)? {
        let now = clock.now()
        return try await store.read { tx in
            guard let session = try await tx.dashboardSessions.find(tokenHash: Self.hash(cookie), now: now),
                  let (key, _) = try await tx.apiKeys.findWithHash(session.keyID), key.revokedAt == nil,
                  let account = try await tx.accounts.find(key.accountID)
            else { return nil }
            return (session, Principal(keyID: key.id, account: account, scope: key.scope))
        }
    }

    /// Whether `session` still stands: not signed out, not ended, its key not revoked.
    func isCurrent(_ session: DashboardSession) async throws -> Bool {
        let now = clock.now()
        return try await store.read { tx in
            guard try await tx.dashboardSessions.find(tokenHash: session.tokenHash, now: now) != nil,
                  let (key, _) = try await tx.apiKeys.findWithHash(session.keyID)
            else { return false }
            return key.revokedAt == nil
        }
    }

    /// Ends the session, and its open live streams with it. A revoked key's streams are woken
    /// by the revocation's event; a sign-out writes none, so its streams, woken by nothing,
    /// went on until their next look (up to 25 seconds on SQLite).
    func signOut(_ signedIn: SignedIn) async throws {
        try await store.transaction { tx in try await tx.dashboardSessions.delete(tokenHash: signedIn.session.tokenHash) }
        var touched = TouchedAccounts()
        touched.accounts = [signedIn.principal.account.id]
        feed.announce(touched)
    }

    /// The stored form of a cookie value.
    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
