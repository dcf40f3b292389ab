import Foundation
import Synchronization

/// Keeps each account's overview figures for a while and works them out again in the
/// background once they are older than their maximum age, one computation per account at a
/// time; a page is never held up longer than its wait by a computation. Holds at most
/// ``capacity`` accounts, forgetting the longest unseen.
final class FleetFiguresCache: Sendable {
    private struct Entry {
        var figures: FleetFigures?
        var computedAt: ContinuousClock.Instant?
        var refreshing: Task<FleetFigures?, Never>?
        var seen: ContinuousClock.Instant
    }

    /// Most accounts kept.
    static let capacity = 1_000
    private let entries = Mutex<[String: Entry]>([:])
    private let maximumAge: Duration

    /// A cache whose figures are worked out again after `maximumAge` seconds.
    init(maximumAge: TimeInterval) {
        self.maximumAge = .milliseconds(Int64(maximumAge * 1_000))
    }

    /// The figures for `key`: fresh ones at once; otherwise new ones are worked out, and the
    /// page waits up to `wait` seconds for them before it takes the last ones (`nil` if none).
    func figures(for key: String, wait: TimeInterval, compute: @escaping @Sendable () async throws -> FleetFigures) async -> FleetFigures? {
        let now = ContinuousClock.now
        let (known, fresh, refreshing) = entries.withLock { entries -> (FleetFigures?, Bool, Task<FleetFigures?, Never>?) in
            var entry = entries[key] ?? Entry(seen: now)
            entry.seen = now
            let fresh = entry.computedAt.map { now - $0 < maximumAge } ?? false
            if !fresh, entry.refreshing == nil {
                entry.refreshing = Task { [weak self] in
                    let figures = try? await compute()
                    self?.store(figures, for: key)
                    return figures
                }
            }
            entries[key] = entry
            if entries.count > Self.capacity, let oldest = entries.min(by: { $0.value.seen < $1.value.seen })?.key { entries[oldest] = nil }
            return (entry.figures, fresh, entry.refreshing)
        }
        if fresh { return known }
        guard let refreshing else { return known }
        // Whichever ends first answers: the computation goes on either way, and a later page
        // gets its result.
        let new: FleetFigures? = await withCheckedContinuation { continuation in
            let answered = Mutex(false)
            let answer: @Sendable (FleetFigures?) -> Void = { figures in
                if answered.withLock({ done in defer { done = true }; return !done }) { continuation.resume(returning: figures) }
            }
            Task { answer(await refreshing.value) }
            Task {
                try? await Task.sleep(for: .milliseconds(Int64(wait * 1_000)))
                answer(nil)
            }
        }
        return new ?? known
    }

    private func store(_ figures: FleetFigures?, for key: String) {
        entries.withLock { entries in
            entries[key]?.refreshing = nil
            guard let figures else { return }
            entries[key]?.figures = figures
            entries[key]?.computedAt = ContinuousClock.now
        }
    }
}
