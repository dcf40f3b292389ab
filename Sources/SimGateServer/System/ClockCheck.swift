import Foundation
import Logging
import SimGateCore
import SimGateStore

/// Warns at start when the clock reads earlier than the newest event stored: it went back
/// (or the database comes from a machine whose clock ran ahead). Everything then happens
/// before what already happened: a suspension ends a LIVE period before it began, a statement
/// shows a SIM OFFLINE for a month it was LIVE in, a hold is placed before its SIM went LIVE.
/// SimGate does not refuse to start (a clock a little behind is common after a restore), but
/// says so, once, with both times.
enum ClockCheck {
    /// How far behind the newest event the clock may read without a warning, in seconds:
    /// instances on one database, each with its own clock, differ by a little.
    static let tolerance: TimeInterval = 60

    /// How far the clock reads behind the newest stored event, when that is past the tolerance.
    static func lag(newestEvent: Date?, now: Date) -> TimeInterval? {
        guard let newestEvent else { return nil }
        let lag = newestEvent.timeIntervalSince(now)
        return lag > tolerance ? lag : nil
    }

    /// Reads the newest event's time and logs a warning when the clock reads too far behind it.
    static func warnIfBehind(store: Store, clock: any WallClock, logger: Logger) async throws {
        let newest = try await store.read { tx in try await tx.events.newestTime() }
        let now = clock.now()
        guard let lag = lag(newestEvent: newest, now: now), let newest else { return }
        logger.warning(
            "The clock reads earlier than the newest stored event: it went back, or this database comes from a machine whose clock ran ahead. Until it passes that time, changes are dated before what already happened (periods, holds, statements).",
            metadata: [
                "clock": "\(UTCTimeText.rfc3339(epochMilliseconds: now.epochMilliseconds))",
                "newest_event": "\(UTCTimeText.rfc3339(epochMilliseconds: newest.epochMilliseconds))",
                "behind_seconds": "\(Int(lag))",
            ]
        )
    }
}
