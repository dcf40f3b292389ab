import Foundation
import SimGateCore
import Synchronization

/// Values this instance read from the database a moment ago, so that a hot path does not read
/// the same rows on every request: the API keys presented (with their accounts), and the
/// payment gateways webhooks arrive for.
///
/// Entries go:
/// - all at once, when this instance commits a change to what they hold (a key revoked, an
///   account or a gateway changed): the composition root calls ``forgetAll()``;
/// - each one `lifetime` after it was read, which bounds how long a change made through another
///   instance (several on one PostgreSQL) goes unseen here (1 s by default).
final class RecentReads<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        let value: Value
        let readAt: Date
    }

    private struct Entries {
        var byKey: [Key: Entry] = [:]
        /// How many times everything was forgotten.
        var generation = 0
    }

    private let entries = Mutex(Entries())
    private let lifetime: TimeInterval
    private let clock: any WallClock
    /// More entries than this start the cache over.
    private static var capacity: Int { 10_000 }

    /// A cache whose entries last `lifetime` seconds on `clock` (zero keeps nothing).
    init(lifetime: TimeInterval, clock: any WallClock) {
        self.lifetime = lifetime
        self.clock = clock
    }

    /// The value kept for `key`, if it was read less than `lifetime` ago.
    func value(_ key: Key) -> Value? {
        let now = clock.now()
        return entries.withLock { entries in
            guard let entry = entries.byKey[key] else { return nil }
            // A clock set back counts as expired too.
            guard now >= entry.readAt, now.timeIntervalSince(entry.readAt) < lifetime else {
                entries.byKey[key] = nil
                return nil
            }
            return entry.value
        }
    }

    /// Which forgetting the cache is at: take it before reading, and give it to
    /// ``keep(_:for:readAt:)``.
    var generation: Int { entries.withLock { $0.generation } }

    /// Keeps what `key` was just read to be, unless everything was forgotten since
    /// `generation` (a change that committed while it was read).
    func keep(_ value: Value, for key: Key, readAt generation: Int) {
        guard lifetime > 0 else { return }
        let entry = Entry(value: value, readAt: clock.now())
        entries.withLock { entries in
            guard entries.generation == generation else { return }
            if entries.byKey.count >= Self.capacity { entries.byKey.removeAll() }
            entries.byKey[key] = entry
        }
    }

    /// Forgets everything (what it held changed).
    func forgetAll() {
        entries.withLock { entries in
            entries.byKey.removeAll()
            entries.generation += 1
        }
    }
}

/// Who the API keys recently presented belong to, by the SHA-256 of the whole presented key.
/// Only keys that matched their stored hash are kept, so only valid keys take room.
typealias PrincipalCache = RecentReads<String, Principal>

/// Payment gateways webhooks recently arrived for, credentials included (in memory only, as
/// every request that verifies a signature has them).
typealias GatewayCache = RecentReads<PaymentGatewayID, PaymentGateway>
