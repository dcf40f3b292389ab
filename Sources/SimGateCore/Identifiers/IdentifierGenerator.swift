import Foundation
import Synchronization

/// Makes new identifiers that sort by creation time.
///
/// The text after the prefix is 26 Crockford base-32 characters: 10 for the milliseconds since
/// 1970, then 16 for 76 random bits. Within one millisecond the random part is incremented instead of
/// redrawn, so identifiers made by one process are strictly increasing. Lists ordered by id are
/// therefore ordered by creation, which is what cursor pagination relies on.
public final class IdentifierGenerator: Sendable {
    private struct State {
        var lastMilliseconds: UInt64 = 0
        var high: UInt16 = 0
        var low: UInt64 = 0
    }

    /// The low random part is 60 bits: exactly what 12 base-32 characters hold.
    private static let lowMask: UInt64 = (1 << 60) - 1

    private let clock: any WallClock
    private let state = Mutex(State())

    /// A generator that takes the time part of each identifier from `clock`.
    public init(clock: any WallClock) {
        self.clock = clock
    }

    /// A new identifier of the requested kind.
    public func make<Kind: IdentifierKind>(_: Kind.Type = Kind.self) -> TypedID<Kind> {
        TypedID(trusted: next(prefix: Kind.prefix + "_"))
    }

    /// A new 26-character sortable body, without prefix.
    public func nextBody() -> String {
        next(prefix: "")
    }

    /// `prefix` followed by a new body, written into one string: an import makes two
    /// identifiers a SIM, millions in all, and building each from pieces cost a tenth of it.
    private func next(prefix: String) -> String {
        let milliseconds = UInt64(max(0, clock.now().timeIntervalSince1970 * 1000))
        let (time, high, low) = state.withLock { state -> (UInt64, UInt16, UInt64) in
            if milliseconds > state.lastMilliseconds {
                state.lastMilliseconds = milliseconds
                state.high = UInt16.random(in: 0...UInt16.max)
                state.low = UInt64.random(in: 0...Self.lowMask)
            } else {
                // Same (or earlier, if the clock stepped back) millisecond: keep the time, count up.
                state.low = (state.low + 1) & Self.lowMask
                if state.low == 0 { state.high &+= 1 }
            }
            return (state.lastMilliseconds, state.high, state.low)
        }
        let prefixBytes = prefix.utf8.count
        return String(unsafeUninitializedCapacity: prefixBytes + 26) { buffer in
            _ = buffer.initialize(from: prefix.utf8)
            Base32.write(time, characters: 10, into: buffer, at: prefixBytes)
            Base32.write(UInt64(high), characters: 4, into: buffer, at: prefixBytes + 10)
            Base32.write(low, characters: 12, into: buffer, at: prefixBytes + 14)
            return prefixBytes + 26
        }
    }
}

extension TypedID {
    /// This id with its time part set to `time` and the rest kept: an id made ahead of its
    /// object (a delayed action's event, named when its job was queued) that sorts where the
    /// object's time puts it, and is the same however often it is worked out.
    public func retimed(to time: Date) -> TypedID {
        let prefixLength = Kind.prefix.utf8.count + 1
        let body = rawValue.utf8.dropFirst(prefixLength)
        guard body.count == 26 else { return self }
        let milliseconds = UInt64(max(0, time.timeIntervalSince1970 * 1000))
        return TypedID(trusted: String(rawValue.prefix(prefixLength)) + Base32.encode(milliseconds, characters: 10) + String(decoding: body.dropFirst(10), as: UTF8.self))
    }
}

/// Crockford's base-32 alphabet, which sorts in the same order as the numbers it encodes.
enum Base32 {
    /// The 32 digits in value order, as ASCII; I, L, O and U are left out to avoid misreading.
    static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// `characters` base-32 digits of `value`, most significant first.
    static func encode(_ value: UInt64, characters: Int) -> String {
        String(unsafeUninitializedCapacity: characters) { buffer in
            write(value, characters: characters, into: buffer, at: 0)
            return characters
        }
    }

    /// Writes `characters` base-32 digits of `value`, most significant first, at `start`.
    static func write(_ value: UInt64, characters: Int, into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        var value = value
        for index in stride(from: start + characters - 1, through: start, by: -1) {
            buffer[index] = alphabet[Int(value & 31)]
            value >>= 5
        }
    }
}
