import Logging
import Synchronization

/// Logs dropped datagrams, and pauses in reading for a full backlog, without letting a flood of
/// them flood the log: at most one warning per reason every `interval`, carrying the running
/// count and the latest client.
final class RADIUSDropLog: Sendable {
    private let logger: Logger
    private let interval: Duration
    private let lastLogged = Mutex<[RADIUSServerStatistics.DropReason: ContinuousClock.Instant]>([:])
    private let lastBacklogFull = Mutex<ContinuousClock.Instant?>(nil)

    /// Logs to `logger`, with at most one warning per drop reason every `interval`.
    init(logger: Logger, interval: Duration = .seconds(10)) {
        self.logger = logger
        self.interval = interval
    }

    /// Logs one drop: a warning if none for `reason` within the interval, else at debug level.
    /// `total` is the count so far for the reason; `port` is the server's configured port.
    func dropped(_ reason: RADIUSServerStatistics.DropReason, total: Int, source: String, port: Int) {
        let now = ContinuousClock.now
        let due = lastLogged.withLock { last -> Bool in
            if let previous = last[reason], now - previous < interval { return false }
            last[reason] = now
            return true
        }
        let metadata: Logger.Metadata = ["reason": "\(reason.rawValue)", "source": "\(source)", "port": "\(port)", "dropped_so_far": "\(total)"]
        if due {
            logger.warning("Dropped RADIUS datagram", metadata: metadata)
        } else {
            logger.debug("Dropped RADIUS datagram", metadata: metadata)
        }
    }

    /// Logs a pause in reading for a full backlog, as a warning at most once every `interval`.
    func backlogFull(total: Int, limit: Int, port: Int) {
        let now = ContinuousClock.now
        let due = lastBacklogFull.withLock { last -> Bool in
            if let previous = last, now - previous < interval { return false }
            last = now
            return true
        }
        let metadata: Logger.Metadata = ["port": "\(port)", "backlog_limit": "\(limit)", "pauses_so_far": "\(total)"]
        if due {
            logger.warning("RADIUS requests arrive faster than they are recorded; reading paused until half are answered", metadata: metadata)
        } else {
            logger.debug("RADIUS reading paused for a full backlog", metadata: metadata)
        }
    }
}
