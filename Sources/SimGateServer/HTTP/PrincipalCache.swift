import Foundation
import SimGateCore
import Synchronization

/// Who the API keys recently presented to this instance belong to, so that a request does
/// not read its key and account from the database every time.
///
/// An entry is found by the SHA-256 of the whole presented key, which is only kept once the
/// key has matched its stored hash, so only valid keys take room. Entries go:
/// - all at once, when this instance commits a key revocation or an account change;
/// - each one `lifetime` after it was read, which bounds how long a key revoked through
///   another instance (several on one PostgreSQL) still works here (1 s by default).
final class PrincipalCache: Sendable {
    private struct Entry {
        let principal: Principal
        let readAt: Date
    }

    private struct Entries {
        var byHash: [String: Entry] = [:]
        /// How many times everything was forgotten.
        var generation = 0
    }

    private let entries = Mutex(Entries())
    private let lifetime: TimeInterval
    private let clock: any WallClock
    /// More valid keys than this in use at once start the cache over.
    private static let capacity = 10_000

    /// A cache whose entries last `lifetime` seconds on `clock` (zero keeps nothing).
    init(lifetime: TimeInterval, clock: any WallClock) {
        self.lifetime = lifetime
        self.clock = clock
    }

    /// The principal of the key whose hash is `keyHash`, if it was read less than `lifetime` ago.
    func principal(keyHash: String) -> Principal? {
        let now = clock.now()
        return entries.withLock { entries in
            guard let entry = entries.byHash[keyHash] else { return nil }
            // A clock set back counts as expired too.
            guard now >= entry.readAt, now.timeIntervalSince(entry.readAt) < lifetime else {
                entries.byHash[keyHash] = nil
                return nil
            }
            return entry.principal
        }
    }

    /// Which forgetting the cache is at: take it before reading a key, and give it to
    /// ``keep(_:keyHash:readAt:)``.
    var generation: Int { entries.withLock { $0.generation } }

    /// Keeps what the key whose hash is `keyHash` was just read to be, unless everything was
    /// forgotten since `generation` (a revocation that committed while it was read).
    func keep(_ principal: Principal, keyHash: String, readAt generation: Int) {
        guard lifetime > 0 else { return }
        let entry = Entry(principal: principal, readAt: clock.now())
        entries.withLock { entries in
            guard entries.generation == generation else { return }
            if entries.byHash.count >= Self.capacity { entries.byHash.removeAll() }
            entries.byHash[keyHash] = entry
        }
    }

    /// Forgets every key (one was revoked, or an account changed).
    func forgetAll() {
        entries.withLock { entries in
            entries.byHash.removeAll()
            entries.generation += 1
        }
    }
}
