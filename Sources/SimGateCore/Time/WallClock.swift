import Foundation
import Synchronization

/// The source of the current time. Injected everywhere so that tests can move time.
public protocol WallClock: Sendable {
    /// The current instant.
    func now() -> Date
}

/// The machine's clock.
public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that stands still until told to move; for tests and simulations.
public final class ManualWallClock: WallClock {
    private let current: Mutex<Date>

    /// Starts at `start`, rounded down to whole milliseconds (the precision SimGate stores).
    public init(_ start: Date = Date(timeIntervalSince1970: 1_798_761_600)) {
        current = Mutex(start.roundedToMilliseconds)
    }

    public func now() -> Date { current.withLock { $0 } }

    /// Moves the clock forward by `seconds`.
    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = ($0 + seconds).roundedToMilliseconds }
    }

    /// Sets the clock to `date`.
    public func set(_ date: Date) {
        current.withLock { $0 = date.roundedToMilliseconds }
    }
}

extension Date {
    /// Milliseconds since 1970: the form SimGate stores times in, identical on both engines.
    /// Rounded to the nearest, not down: a time read back from milliseconds is a binary
    /// fraction a hair below or above them, and must come back as the same millisecond.
    public var epochMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    /// The instant `milliseconds` after 1970.
    public init(epochMilliseconds milliseconds: Int64) {
        self.init(timeIntervalSince1970: TimeInterval(milliseconds) / 1000)
    }

    /// This instant without its sub-millisecond part.
    public var roundedToMilliseconds: Date { Date(epochMilliseconds: epochMilliseconds) }
}
