import SimGateRADIUS
import SimGateTestSupport
import Synchronization

/// Counts what the app's RADIUS ports did, so a test can await that every request it sent is
/// settled (answered or dropped) instead of polling `/metrics` for it.
final class RADIUSTally: RADIUSServerObserver {
    private let settled = Mutex(0)
    private let waiters = CountWaiters()

    func requestReceived(_ code: RADIUSCode) {}
    func replySent(_ code: RADIUSCode, retransmission: Bool) { settle() }
    func requestDropped(_ reason: RADIUSServerStatistics.DropReason) { settle() }

    /// Returns once at least `count` requests were answered or dropped (unknown clients and
    /// malformed datagrams count as dropped).
    func waitUntilSettled(_ count: Int) async {
        await waiters.wait(for: count)
    }

    private func settle() {
        settled.withLock { settled in
            settled += 1
            waiters.reached(settled)
        }
    }
}
