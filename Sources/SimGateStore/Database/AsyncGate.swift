/// An asynchronous mutual-exclusion gate: one holder at a time, the others wait in order
/// without blocking a thread.
actor AsyncGate {
    private var isHeld = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Waits until the gate is free and takes it. Every `enter` must be followed by one `leave`.
    func enter() async {
        if !isHeld {
            isHeld = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    /// Frees the gate, handing it to the next waiter if there is one.
    func leave() {
        if waiters.isEmpty {
            isHeld = false
        } else {
            // Hand the gate straight to the next waiter; it stays held.
            waiters.removeFirst().resume()
        }
    }
}
