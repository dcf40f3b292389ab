import SimGateRADIUS
import Synchronization

/// Counts what the app's RADIUS ports did, so a test can await that every request it sent is
/// settled (answered or dropped) instead of polling `/metrics` for it.
final class RADIUSTally: RADIUSServerObserver {
    private struct State {
        var received = 0
        var settled = 0
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    func requestReceived(_ code: RADIUSCode) { state.withLock { $0.received += 1 } }
    func replySent(_ code: RADIUSCode, retransmission: Bool) { settle() }
    func requestDropped(_ reason: RADIUSServerStatistics.DropReason) { settle() }

    /// Returns once at least `count` requests were answered or dropped (unknown clients and
    /// malformed datagrams count as dropped).
    func waitUntilSettled(_ count: Int) async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.settled >= count { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func settle() {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.settled += 1
            let settled = state.settled
            let ready = state.waiters.filter { $0.count <= settled }.map(\.continuation)
            state.waiters.removeAll { $0.count <= settled }
            return ready
        }
        for waiter in ready { waiter.resume() }
    }
}
