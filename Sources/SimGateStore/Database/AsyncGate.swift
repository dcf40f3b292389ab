import NIOCore
import Synchronization

/// An asynchronous mutual-exclusion gate: one holder at a time, the others wait in order
/// without blocking a thread, each for a bounded time.
final class AsyncGate: Sendable {
    private let isHeld = Mutex(false)
    private let waiters = TimedWaiters<Void>()

    /// Waits until the gate is free and takes it, or throws
    /// ``StoreError/connectionUnavailable(waited:)`` after `timeout`. Every successful `enter`
    /// must be followed by one `leave`.
    func enter(timeout: Duration, timers: any EventLoopGroup) async throws {
        if takeIfFree() != nil { return }
        try await waiters.wait(
            timeout: timeout, timers: timers, timeoutError: { StoreError.connectionUnavailable(waited: timeout) },
            stillNeeded: { self.takeIfFree() }
        )
    }

    /// Frees the gate, handing it straight to the next waiter (it stays held) if there is one.
    func leave() {
        waiters.handOut(()) { isHeld.withLock { $0 = false } }
    }

    /// Hands the gate straight to the next waiter, if one waits (the gate stays held, by it);
    /// whether one did. When none does, the caller still holds the gate.
    func passToWaiter() -> Bool {
        waiters.handOutIfWaiting(())
    }

    /// How many wait for the gate now.
    var waiting: Int { waiters.count }

    private func takeIfFree() -> Void? {
        isHeld.withLock { held in
            guard !held else { return nil }
            held = true
            return ()
        }
    }
}
