import Foundation

/// The source of the current time. Injected everywhere so that tests can move time.
public protocol WallClock: Sendable {
    /// The current instant.
    func now() -> Date
}

/// The machine's clock.
public struct SystemWallClock: WallClock {
    /// The machine's clock; there is nothing to set up.
    public init() {}
    /// The machine's current time.
    public func now() -> Date { Date() }
}

extension Date {
    /// Milliseconds since 1970: the form SimGate stores times in, identical on both engines.
    /// Rounded to the nearest, not down: a time read back from milliseconds is a binary
    /// fraction a hair below or above them, and must come back as the same millisecond.
    public var epochMilliseconds: Int64 {
        // Dates far outside any real time (Date.distantFuture is fine) saturate, never trap.
        let milliseconds = (timeIntervalSince1970 * 1000).rounded()
        guard milliseconds.isFinite else { return milliseconds > 0 ? .max : .min }
        return milliseconds >= 9.2e18 ? .max : milliseconds <= -9.2e18 ? .min : Int64(milliseconds)
    }

    /// The instant `milliseconds` after 1970.
    public init(epochMilliseconds milliseconds: Int64) {
        self.init(timeIntervalSince1970: TimeInterval(milliseconds) / 1000)
    }

    /// This instant without its sub-millisecond part.
    public var roundedToMilliseconds: Date { Date(epochMilliseconds: epochMilliseconds) }
}
