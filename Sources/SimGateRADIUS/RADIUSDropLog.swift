import Logging
import Synchronization

/// Logs dropped datagrams, and pauses in reading for a full backlog, without letting a flood of
/// them flood the log: at most one warning per reason every `interval`, carrying the running
/// count and the latest client.
final class RADIUSDropLog: Sendable {
    /// What a warning is about; each has its own interval.
    private enum Topic: Hashable {
        case drop(RADIUSServerStatistics.DropReason)
        case backlogFull
    }

    private let logger: Logger
    private let interval: Duration
    private let lastWarned = Mutex<[Topic: ContinuousClock.Instant]>([:])

    /// Logs to `logger`, with at most one warning per drop reason (and one for pauses) every `interval`.
    init(logger: Logger, interval: Duration = .seconds(10)) {
        self.logger = logger
        self.interval = interval
    }

    /// Logs one drop: a warning if none for `reason` within the interval, else at debug level.
    /// `total` is the count so far for the reason; `port` is the server's configured port.
    func dropped(_ reason: RADIUSServerStatistics.DropReason, total: Int, source: String, port: Int) {
        let metadata: Logger.Metadata = ["reason": "\(reason.rawValue)", "source": "\(source)", "port": "\(port)", "dropped_so_far": "\(total)"]
        log(.drop(reason), warning: "Dropped RADIUS datagram", debug: "Dropped RADIUS datagram", metadata: metadata)
    }

    /// Logs a pause in reading for a full backlog, as a warning at most once every `interval`.
    func backlogFull(total: Int, limit: Int, port: Int) {
        let metadata: Logger.Metadata = ["port": "\(port)", "backlog_limit": "\(limit)", "pauses_so_far": "\(total)"]
        log(
            .backlogFull, warning: "RADIUS requests arrive faster than they are recorded; reading paused until half are answered",
            debug: "RADIUS reading paused for a full backlog", metadata: metadata
        )
    }

    /// A warning if none about `topic` within the interval, else the debug line.
    private func log(_ topic: Topic, warning: Logger.Message, debug: Logger.Message, metadata: Logger.Metadata) {
        let now = ContinuousClock.now
        let due = lastWarned.withLock { last -> Bool in
            if let previous = last[topic], now - previous < interval { return false }
            last[topic] = now
            return true
        }
        if due {
            logger.warning(warning, metadata: metadata)
        } else {
            logger.debug(debug, metadata: metadata)
        }
    }
}
