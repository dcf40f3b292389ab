import NIOCore
import Synchronization

/// A queue of tasks waiting for something (a connection, a gate), each waiting for a bounded
/// time.
///
/// The time limits are kept by one event-loop timer, set for the earliest deadline in the
/// queue while anyone waits, which fails the overdue waiters straight from the loop: no task
/// is spawned to hop anywhere, so nothing outlives the wait. One timer rather than one per
/// waiter: under load every write waits at the gate, and scheduling and cancelling a timer on
/// another thread's loop (which wakes that loop twice) was a twentieth of the writer's time.
final class TimedWaiters<Value: Sendable>: Sendable {
    private struct Waiter {
        let continuation: CheckedContinuation<Value, any Error>
        let deadline: NIODeadline
        let timeoutError: @Sendable () -> any Error
    }

    private struct State {
        var waiters: [Waiter] = []
        /// The deadline the timer is set for, while one is.
        var timerDeadline: NIODeadline?
    }

    private let state = Mutex(State())

    /// What became of a waiter as it was about to be queued.
    private enum WaitOutcome {
        case queued(setTimer: NIODeadline?), available(Value)
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
        let deadline = NIODeadline.now() + .nanoseconds(timeout.nanoseconds)
        return try await withCheckedThrowingContinuation { continuation in
            let outcome: WaitOutcome = state.withLock { state in
                if let value = stillNeeded() { return .available(value) }
                state.waiters.append(Waiter(continuation: continuation, deadline: deadline, timeoutError: timeoutError))
                // A timer already set for an earlier deadline sets itself again for this one.
                guard state.timerDeadline.map({ $0 > deadline }) ?? true else { return .queued(setTimer: nil) }
                state.timerDeadline = deadline
                return .queued(setTimer: deadline)
            }
            switch outcome {
            case .queued(let setTimer): if let setTimer { schedule(at: setTimer, on: timers) }
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
                return nil as Waiter?
            }
            return state.waiters.removeFirst()
        }
        waiter?.continuation.resume(returning: value)
    }

    /// How many wait now.
    var count: Int { state.withLock { $0.waiters.count } }

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

    private func schedule(at deadline: NIODeadline, on timers: any EventLoopGroup) {
        timers.any().scheduleTask(deadline: deadline) { self.expireOverdue(timers: timers, firedFor: deadline) }
    }

    /// Fails the waiters whose time is up, and sets the timer for the next deadline, if anyone
    /// still waits. A timer superseded by an earlier one (`firedFor` is no longer the one set)
    /// only fails the overdue.
    private func expireOverdue(timers: any EventLoopGroup, firedFor: NIODeadline) {
        let now = NIODeadline.now()
        let (overdue, next): ([Waiter], NIODeadline?) = state.withLock { state in
            var overdue: [Waiter] = []
            state.waiters.removeAll { waiter in
                guard waiter.deadline <= now else { return false }
                overdue.append(waiter)
                return true
            }
            guard state.timerDeadline == firedFor || state.timerDeadline.map({ $0 <= now }) ?? false else { return (overdue, nil) }
            state.timerDeadline = state.waiters.map(\.deadline).min()
            return (overdue, state.timerDeadline)
        }
        if let next { schedule(at: next, on: timers) }
        for waiter in overdue { waiter.continuation.resume(throwing: waiter.timeoutError()) }
    }
}
