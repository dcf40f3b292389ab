import NIOCore

/// An asynchronous mutual-exclusion gate: one holder at a time, the others wait in order
/// without blocking a thread, each for a bounded time.
actor AsyncGate {
    private var isHeld = false
    private var waiters: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextWaiter = 0

    /// Waits until the gate is free and takes it, or throws
    /// ``StoreError/connectionUnavailable(waited:)`` after `timeout`. Every successful `enter`
    /// must be followed by one `leave`.
    func enter(timeout: Duration, timers: any EventLoopGroup) async throws {
        if !isHeld {
            isHeld = true
            return
        }
        nextWaiter += 1
        let id = nextWaiter
        // An event-loop timer that hops onto this actor to give the waiter up.
        let timer = timers.any().scheduleTask(in: .nanoseconds(timeout.nanoseconds)) {
            Task { await self.giveUp(waiter: id, after: timeout) }
        }
        defer { timer.cancel() }
        try await withCheckedThrowingContinuation { waiters.append((id, $0)) }
    }

    /// Frees the gate, handing it to the next waiter if there is one.
    func leave() {
        if waiters.isEmpty {
            isHeld = false
        } else {
            // Hand the gate straight to the next waiter; it stays held.
            waiters.removeFirst().continuation.resume()
        }
    }

    private func giveUp(waiter id: Int, after timeout: Duration) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: StoreError.connectionUnavailable(waited: timeout))
    }
}
