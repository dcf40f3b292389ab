import Synchronization

/// Tasks waiting for a count a test helper keeps (requests received, answers held) to reach a
/// number. The wait ends when the helper reports the count, never on a timer: the suite's time
/// limit bounds a wait for something that never comes.
public final class CountWaiters: Sendable {
    private struct State {
        var count = 0
        var waiters: [(target: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    /// Nothing counted yet.
    public init() {}

    /// Records that the count is now `count` (it may go down as well as up), and wakes the
    /// tasks waiting for it. Report under the lock that guards what is counted, so that
    /// reports arrive in the order the count changed.
    public func reached(_ count: Int) {
        let due = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.count = count
            let due = state.waiters.filter { $0.target <= state.count }.map(\.continuation)
            state.waiters.removeAll { $0.target <= state.count }
            return due
        }
        for waiter in due { waiter.resume() }
    }

    /// Returns once the count has reached `target`.
    public func wait(for target: Int) async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.count >= target { return true }
                state.waiters.append((target, continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }
}
