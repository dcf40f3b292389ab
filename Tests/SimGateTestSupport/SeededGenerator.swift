import Foundation

/// A small, fast, seedable random number generator (SplitMix64), so a fuzz run that fails can
/// be replayed exactly: tests print the seed, and `SIMGATE_FUZZ_SEED` sets it.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public let seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        state = seed
    }

    /// The seed from `SIMGATE_FUZZ_SEED`, else a fresh random one.
    public static func fromEnvironment() -> SeededGenerator {
        let text = ProcessInfo.processInfo.environment["SIMGATE_FUZZ_SEED"]
        return SeededGenerator(seed: text.flatMap { UInt64($0) } ?? UInt64.random(in: 0...UInt64.max))
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
