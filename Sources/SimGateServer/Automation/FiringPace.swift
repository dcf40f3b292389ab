import Foundation
import SimGateCore
import Synchronization

/// When each account's rule firings may run: a burst of ``burst`` at once, then one every
/// ``interval`` (50 a second), in the order they fired.
///
/// Firing jobs run oldest first from one queue shared by every account: one account's 1,000
/// rules firing for one SIM queued 1,000 jobs ahead of every other account's, whose roaming
/// cut-off then waited 25 s, and minutes after a few such SIMs. Each account now has a virtual
/// queue that drains at the paced rate; a firing runs when its place in that queue comes, less
/// the burst, so an account that fires now and then is never held, and one that fires a
/// thousand at once spreads them over 20 s while other accounts' firings run at once. An
/// account's times never go back, so its firings keep their order. Kept by each instance in
/// memory: it orders work, and a restart only forgets who fired lately.
final class FiringPace: Sendable {
    /// Firings of one account that run at once.
    static let burst = 50
    /// The time between two of one account's firings past the burst.
    static let interval: TimeInterval = 0.02
    /// Accounts remembered before those whose queue has drained are forgotten.
    private static let remembered = 1_024

    /// When each account's virtual queue drains, for accounts that fired lately.
    private let drains = Mutex<[AccountID: Date]>([:])

    /// When a firing of `account` decided at `now` may run: `now`, or later when the account
    /// has fired more than ``burst`` times within the last ``burst`` intervals.
    func nextRun(of account: AccountID, now: Date) -> Date {
        drains.withLock { drains in
            if drains.count >= Self.remembered { drains = drains.filter { $0.value > now } }
            let drain = max(drains[account] ?? now, now) + Self.interval
            drains[account] = drain
            return max(now, drain - TimeInterval(Self.burst) * Self.interval)
        }
    }
}
