import Foundation
import SimGateCore

/// Runs the computations of open (and closing) statements: at most ``permits`` at once on the
/// instance, and one for requests of the same account and month that come while it runs.
///
/// A computation reads every SIM period and usage total of an account's month in one read, on
/// one pooled connection: 200,000 SIMs took seconds, and four `limit=1` requests of one tenant
/// at once held enough of the pool that every account's reads and `/health` waited as long.
/// A request that waits longer than its bound for a turn is refused (503 `statements_busy`).
actor StatementComputations {
    typealias Result = (Statement, [Int: String])

    /// What a computation is of.
    struct Key: Hashable, Sendable {
        let account: AccountID
        let month: BillingMonth
    }

    /// Computations at once.
    let permits: Int
    private var running = 0
    private var queue: [(id: Int, turn: CheckedContinuation<Bool, Never>)] = []
    private var timers: [Int: Task<Void, Never>] = [:]
    private var nextID = 0
    private var inFlight: [Key: Task<Result, any Error>] = [:]
    private var joined: [Key: Int] = [:]

    init(permits: Int = 2) {
        self.permits = permits
    }

    /// `compute`'s result, or the result of the same computation already running; waits at
    /// most `wait` for a turn.
    func run(_ key: Key, waitingAtMost wait: Duration, _ compute: @escaping @Sendable () async throws -> Result) async throws -> Result {
        if let shared = inFlight[key] {
            joined[key, default: 0] += 1
            return try await shared.value
        }
        let task = Task<Result, any Error> {
            guard await self.turn(waitingAtMost: wait) else {
                var busy = APIError(
                    status: .serviceUnavailable, code: "statements_busy",
                    message: "Other statements are being worked out; ask again shortly."
                )
                busy.headers[.retryAfter] = "5"
                throw busy
            }
            defer { self.done() }
            return try await compute()
        }
        inFlight[key] = task
        defer {
            if inFlight[key] == task {
                inFlight[key] = nil
                joined[key] = nil
            }
        }
        return try await task.value
    }

    /// How many requests joined the running computation of `key`.
    func joiners(of key: Key) -> Int { joined[key] ?? 0 }

    private func turn(waitingAtMost wait: Duration) async -> Bool {
        if running < permits {
            running += 1
            return true
        }
        let id = nextID
        nextID += 1
        timers[id] = Task {
            try? await Task.sleep(for: wait)
            self.giveUp(id)
        }
        return await withCheckedContinuation { queue.append((id, $0)) }
    }

    private func giveUp(_ id: Int) {
        timers[id] = nil
        guard let index = queue.firstIndex(where: { $0.id == id }) else { return }
        queue.remove(at: index).turn.resume(returning: false)
    }

    /// Hands the finished computation's turn to the next waiting one, or frees it.
    private func done() {
        guard !queue.isEmpty else {
            running -= 1
            return
        }
        let next = queue.removeFirst()
        timers.removeValue(forKey: next.id)?.cancel()
        next.turn.resume(returning: true)
    }
}
