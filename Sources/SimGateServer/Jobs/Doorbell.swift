import Synchronization

/// Wakes the job scheduler when this instance has just queued work, so that work starts at
/// once instead of at the next poll. Polling remains the fallback (and is how other
/// instances sharing the database find the work).
public final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var cancelled = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// How the doorbell waits out a timeout; tests pass one that time never reaches, or
    /// one that has always already passed.
    private let sleep: @Sendable (Duration) async throws -> Void

    /// A doorbell whose timeouts wait with `sleep` (`Task.sleep` unless a test passes its own).
    public init(sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.sleep = sleep
    }

    /// Announces work. A ring with nobody waiting is remembered until the next wait.
    public func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.rung = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns when rung (now, or since the last wait) or when `timeout` has passed.
    /// Meant for one waiter at a time: the scheduler's loop.
    public func wait(upTo timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await self.sleep(timeout) }
            group.addTask { await self.waitForRing() }
            await group.next()
            group.cancelAll()
        }
    }

    /// Returns when rung (now, or since the last wait) or when the calling task is cancelled.
    func waitForRing() async {
        state.withLock { $0.cancelled = false }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.rung || state.cancelled {
                        state.rung = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            // Cancellation may come before the continuation is stored; the flag covers that.
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.cancelled = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
