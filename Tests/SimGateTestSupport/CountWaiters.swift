import Synchronization

/// Tasks waiting for a count a test helper keeps (requests received, answers held) to reach a
/// number. The wait ends when the helper reports the count, never on a timer: the suite's time
/// limit bounds a wait for something that never comes.
public final class CountWaiters: Sendable {
    private struct State {
        var count = 0
        var waiters: [(id: Int, target: Int, continuation: CheckedContinuation<Void, Never>)] = []
        /// Gives each wait its own id, so that cancelling one wait ends that one alone.
        var lastID = 0
        /// Waits cancelled before they were stored: they end as soon as they would be.
        var cancelled: Set<Int> = []
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

    /// Returns once the count has reached `target`, or when the waiting task is cancelled (a
    /// test past its time limit): a count that never comes then fails the test's next check
    /// instead of holding the whole run.
    public func wait(for target: Int) async {
        let id = state.withLock { state -> Int in
            state.lastID += 1
            return state.lastID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Bool in
                    if state.count >= target || state.cancelled.remove(id) != nil { return true }
                    state.waiters.append((id, target, continuation))
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else {
                    state.cancelled.insert(id)
                    return nil
                }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume()
        }
    }
}
