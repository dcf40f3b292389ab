import SimGateCore
import SimGateStore
import Synchronization

/// Tells the dashboard's open event streams that something was committed on this instance
/// (events appended, usage stored) for their account, so each looks for what is new for its
/// page at once. Any number of streams wait at the same time; an announcement wakes those of
/// the accounts it names and the operator's, which see every account. A commit of one account
/// woke every open page of every account, and a few hundred pages held open by one read-only
/// key then read so often that every account's writes waited seconds. Commits on other
/// instances sharing the database are not announced here: streams also look every few seconds.
final class LiveFeed: Sendable {
    private struct Waiter {
        /// The account whose news wakes it; `nil` for the operator, woken by any.
        let account: AccountID?
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        /// Announcements of any account.
        var generation: UInt64 = 0
        /// Announcements that named each account.
        var byAccount: [AccountID: UInt64] = [:]
        /// Announcements to every stream (a shutdown).
        var everyone: UInt64 = 0
        var nextWaiter = 0
        var waiters: [Int: Waiter] = [:]

        func generation(for account: AccountID?) -> UInt64 {
            guard let account else { return generation }
            return (byAccount[account] ?? 0) &+ everyone
        }
    }

    private let state = Mutex(State())

    /// A feed nobody waits on yet.
    init() {}

    /// How many announcements a stream of `account` (`nil`: the operator) has had: it notes
    /// this before reading, and waits for it to change.
    func generation(for account: AccountID?) -> UInt64 { state.withLock { $0.generation(for: account) } }

    /// Wakes the streams of `touched` accounts and the operator's.
    func announce(_ touched: TouchedAccounts) {
        wake { state in
            state.generation &+= 1
            for account in touched.accounts { state.byAccount[account, default: 0] &+= 1 }
            return { $0.account == nil || touched.accounts.contains($0.account!) }
        }
    }

    /// Wakes every stream (the server is shutting down).
    func announceToEveryone() {
        wake { state in
            state.generation &+= 1
            state.everyone &+= 1
            return { _ in true }
        }
    }

    private func wake(_ change: (inout State) -> (Waiter) -> Bool) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            let wakes = change(&state)
            var woken: [CheckedContinuation<Void, Never>] = []
            for (id, waiter) in state.waiters where wakes(waiter) {
                woken.append(waiter.continuation)
                state.waiters[id] = nil
            }
            return woken
        }
        for continuation in woken { continuation.resume() }
    }

    /// Returns once `account`'s generation is past `seen`, after `timeout`, or when the
    /// calling task is cancelled, whichever comes first.
    func wait(for account: AccountID?, after seen: UInt64, upTo timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.waitForAnnouncement(for: account, after: seen) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForAnnouncement(for account: AccountID?, after seen: UInt64) async {
        let id = state.withLock { state -> Int in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Bool in
                    if state.generation(for: account) != seen || Task.isCancelled { return true }
                    state.waiters[id] = Waiter(account: account, continuation: continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume()
        }
    }
}
