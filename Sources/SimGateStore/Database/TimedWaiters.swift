import NIOCore
import Synchronization

/// A queue of tasks waiting for something (a connection, a gate), each waiting for a bounded
/// time. The time limit is an event-loop timer that fails the waiter straight from the loop:
/// no task is spawned to hop anywhere, so nothing outlives the wait.
final class TimedWaiters<Value: Sendable>: Sendable {
    private struct State {
        var waiters: [(id: Int, continuation: CheckedContinuation<Value, any Error>)] = []
        var nextID = 0
        /// Waiters whose time ran out before they were queued (the timer won the race).
        var expired: Set<Int> = []
    }

    private let state = Mutex(State())

    /// What became of a waiter as it was about to be queued.
    private enum WaitOutcome {
        case queued, expired, available(Value)
    }

    /// Waits until ``handOut(_:otherwise:)`` gives this waiter a value, or throws
    /// `timeoutError` once `timeout` has passed. `stillNeeded` is asked under the queue's lock
    /// just before the waiter is queued: a value it returns is taken at once instead (it freed
    /// up meanwhile). Runs on the caller's executor, so an actor that calls it queues the
    /// waiter before anything else runs on the actor.
    nonisolated(nonsending) func wait(
        timeout: Duration, timers: any EventLoopGroup, timeoutError: @escaping @Sendable () -> any Error,
        stillNeeded: @escaping @Sendable () -> Value? = { nil }
    ) async throws -> Value {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        let timer = timers.any().scheduleTask(in: .nanoseconds(timeout.nanoseconds)) {
            self.expire(id, with: timeoutError())
        }
        defer {
            timer.cancel()
            state.withLock { _ = $0.expired.remove(id) }
        }
        return try await withCheckedThrowingContinuation { continuation in
            let outcome: WaitOutcome = state.withLock { state in
                if state.expired.remove(id) != nil { return .expired }
                if let value = stillNeeded() { return .available(value) }
                state.waiters.append((id, continuation))
                return .queued
            }
            switch outcome {
            case .queued: break
            case .expired: continuation.resume(throwing: timeoutError())
            case .available(let value): continuation.resume(returning: value)
            }
        }
    }

    /// Gives `value` to the longest-waiting waiter; when no one waits, runs `otherwise` under
    /// the queue's lock, so no waiter can queue in between.
    func handOut(_ value: Value, otherwise: () -> Void) {
        let waiter = state.withLock { state in
            guard !state.waiters.isEmpty else {
                otherwise()
                return nil as (id: Int, continuation: CheckedContinuation<Value, any Error>)?
            }
            return state.waiters.removeFirst()
        }
        waiter?.continuation.resume(returning: value)
    }

    /// Gives `value` to the longest-waiting waiter, if any waits; whether one did.
    func handOutIfWaiting(_ value: Value) -> Bool {
        var nobody = false
        handOut(value) { nobody = true }
        return !nobody
    }

    /// Fails every waiter with `error`.
    func failAll(_ error: any Error) {
        let waiters = state.withLock { state in
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.continuation.resume(throwing: error) }
    }

    private func expire(_ id: Int, with error: any Error) {
        let waiter = state.withLock { state in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else {
                state.expired.insert(id)
                return nil as (id: Int, continuation: CheckedContinuation<Value, any Error>)?
            }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: error)
    }
}
