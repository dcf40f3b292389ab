import SimGateCore
import Synchronization

/// How many live streams may be open at once: per browser session, per account and on the
/// instance. Every open stream reads after each commit of its account and every few seconds
/// besides, so streams without a bound (a few hundred pages held open by one read-only key)
/// read so often that every account's writes and RADIUS accounting waited seconds.
final class LiveStreamSlots: Sendable {
    /// The bounds.
    struct Limits: Sendable {
        /// Streams of one session (its open tabs).
        var perSession = 8
        /// Streams of one account's sessions together.
        var perAccount = 64
        /// Streams on the instance.
        var total = 512
    }

    private struct Counts {
        var bySession: [String: Int] = [:]
        var byAccount: [AccountID: Int] = [:]
        var total = 0
    }

    let limits: Limits
    private let counts = Mutex(Counts())

    init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// A slot for a stream, given back once, when the stream's body ends or when nothing holds
    /// the lease any more. A HEAD request's body, or one whose head could not be written (the
    /// browser gone), is dropped without running: given back only at the body's end, each such
    /// request kept its slot until a restart, and a few HEADs locked a session out for good.
    final class Lease: Sendable {
        private let slots: LiveStreamSlots
        private let session: String
        private let account: AccountID
        private let released = Atomic(false)

        fileprivate init(slots: LiveStreamSlots, session: String, account: AccountID) {
            self.slots = slots
            self.session = session
            self.account = account
        }

        /// Gives the slot back; later calls do nothing.
        func release() {
            guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
            slots.release(session: session, account: account)
        }

        deinit { release() }
    }

    /// A lease on a slot for a stream of `session` (its token's hash) and `account`; `nil` when a
    /// bound is reached.
    func lease(session: String, account: AccountID) -> Lease? {
        take(session: session, account: account) ? Lease(slots: self, session: session, account: account) : nil
    }

    /// Takes a slot for a stream of `session` (its token's hash) and `account`; `false` when a
    /// bound is reached. A slot taken is given back with ``release(session:account:)``.
    func take(session: String, account: AccountID) -> Bool {
        counts.withLock { counts in
            guard counts.total < limits.total, counts.byAccount[account, default: 0] < limits.perAccount,
                  counts.bySession[session, default: 0] < limits.perSession else { return false }
            counts.total += 1
            counts.byAccount[account, default: 0] += 1
            counts.bySession[session, default: 0] += 1
            return true
        }
    }

    /// Gives back a slot ``take(session:account:)`` took.
    func release(session: String, account: AccountID) {
        counts.withLock { counts in
            counts.total -= 1
            counts.byAccount[account, default: 1] -= 1
            if counts.byAccount[account] == 0 { counts.byAccount[account] = nil }
            counts.bySession[session, default: 1] -= 1
            if counts.bySession[session] == 0 { counts.bySession[session] = nil }
        }
    }
}
