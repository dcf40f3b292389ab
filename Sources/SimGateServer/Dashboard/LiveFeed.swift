import Synchronization

/// Tells the dashboard's open event streams that something was committed on this instance
/// (events appended, usage stored), so each looks for what is new for its page at once. Any
/// number of streams wait at the same time; each announcement wakes them all. Commits on
/// other instances sharing the database are not announced here: streams also look every few
/// seconds.
final class LiveFeed: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    /// A feed nobody waits on yet.
    init() {}

    /// How many announcements there have been: a stream notes it before reading, and waits
    /// for it to change.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// Wakes every waiting stream.
    func announce() {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation &+= 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in woken { waiter.resume() }
    }

    /// Returns once the generation is past `seen`, after `timeout`, or when the calling task
    /// is cancelled, whichever comes first.
    func wait(after seen: UInt64, upTo timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.waitForAnnouncement(after: seen) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForAnnouncement(after seen: UInt64) async {
        let id = state.withLock { state -> Int in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Bool in
                    if state.generation != seen || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
