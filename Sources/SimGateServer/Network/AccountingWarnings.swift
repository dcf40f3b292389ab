import Logging
import Synchronization

/// Warnings about accounting reports that are answered but not (wholly) stored, at most one per
/// kind every `interval`, each carrying how many of its kind there have been; the rest go to
/// the debug level. A gateway sending thousands of reports for SIMs SimGate does not know wrote
/// a warning line for each, saying too little to find them by.
final class AccountingWarnings: Sendable {
    private let logger: Logger
    private let interval: Duration
    private let seen = Mutex<[String: (count: Int, lastWarned: ContinuousClock.Instant?)]>([:])

    init(logger: Logger, interval: Duration = .seconds(10)) {
        self.logger = logger
        self.interval = interval
    }

    /// Logs one report of kind `kind`: a warning if none of its kind came within the interval.
    func warn(_ kind: String, _ message: Logger.Message, metadata: Logger.Metadata) {
        let now = ContinuousClock.now
        let (due, count) = seen.withLock { seen -> (Bool, Int) in
            var entry = seen[kind] ?? (0, nil)
            entry.count += 1
            let due = entry.lastWarned.map { now - $0 >= interval } ?? true
            if due { entry.lastWarned = now }
            seen[kind] = entry
            return (due, entry.count)
        }
        var metadata = metadata
        metadata["so_far"] = "\(count)"
        if due {
            logger.warning(message, metadata: metadata)
        } else {
            logger.debug(message, metadata: metadata)
        }
    }
}
