import Foundation
import SimGateCore
import Synchronization

/// A clock that stands still until told to move; tests move it.
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

    /// Sets the clock to `date` exactly, fractions of a millisecond included, as a real
    /// clock reads: for tests about what happens between two stored milliseconds.
    public func setExactly(_ date: Date) {
        current.withLock { $0 = date }
    }
}

