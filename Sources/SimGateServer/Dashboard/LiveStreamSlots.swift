import SimGateCore
import SimGateStore
import Synchronization

/// How many live streams may be open at once: per browser session, per account and on the
/// instance. Every open stream reads after each commit of its account and every few seconds
/// besides, so streams without a bound (a few hundred pages held open by one read-only key)
/// read so often that every account's writes and RADIUS accounting waited seconds.
///
/// A session's newest page wins: when it has its most streams open, the next one takes the
/// slot of the latest of them, which is told to end. A stream learns that its browser left
/// only when it next writes, up to a poll interval later, so a refusal there locked out the one
/// tab still open after a few pages were visited in a row; and the latest stream is the likeliest
/// to be such a page just left (a tab left open keeps its older stream; taking the oldest ended
/// the one tab still open). The account's and the instance's bounds are other sessions' too,
/// and refuse.
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

    /// One slot as the counts and its lease both see it.
    fileprivate final class Slot: Sendable {
        let session: String
        let account: AccountID
        /// Whether the slot is given back (by its stream, or by being superseded).
        let released = Atomic(false)
        /// Opened when a newer stream of the session takes the slot.
        let superseded = OnceSignal()

        init(session: String, account: AccountID) {
            self.session = session
            self.account = account
        }
    }

    private struct Counts {
        /// Each session's slots, in the order they were taken.
        var bySession: [String: [Slot]] = [:]
        var byAccount: [AccountID: Int] = [:]
        var total = 0

        /// Gives `slot` back, unless it was already.
        mutating func release(_ slot: Slot) {
            guard !slot.released.exchange(true, ordering: .acquiringAndReleasing) else { return }
            total -= 1
            byAccount[slot.account, default: 1] -= 1
            if byAccount[slot.account] == 0 { byAccount[slot.account] = nil }
            bySession[slot.session]?.removeAll { $0 === slot }
            if bySession[slot.session]?.isEmpty == true { bySession[slot.session] = nil }
        }
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
        private let slot: Slot

        fileprivate init(slots: LiveStreamSlots, slot: Slot) {
            self.slots = slots
            self.slot = slot
        }

        /// Opened when a newer stream of the same session took this slot: the stream should
        /// say so and end.
        var superseded: OnceSignal { slot.superseded }

        /// Gives the slot back; later calls do nothing.
        func release() {
            slots.counts.withLock { $0.release(slot) }
        }

        deinit { release() }
    }

    /// A lease on a slot for a stream of `session` (its token's hash) and `account`, taking
    /// the slot of the session's latest stream if the session has its most; `nil` when the
    /// account's or the instance's bound is reached.
    func lease(session: String, account: AccountID) -> Lease? {
        let (slot, superseded) = counts.withLock { counts -> (Slot?, Slot?) in
            var superseded: Slot?
            if let latest = counts.bySession[session]?.last, counts.bySession[session]!.count >= limits.perSession {
                counts.release(latest)
                superseded = latest
            }
            guard counts.total < limits.total, counts.byAccount[account, default: 0] < limits.perAccount else { return (nil, superseded) }
            let slot = Slot(session: session, account: account)
            counts.total += 1
            counts.byAccount[account, default: 0] += 1
            counts.bySession[session, default: []].append(slot)
            return (slot, superseded)
        }
        superseded?.superseded.open()
        return slot.map { Lease(slots: self, slot: $0) }
    }
}
