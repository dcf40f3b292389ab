/// The data a SIM may use on an AOFU tariff: a byte budget that top-ups grow, and what was
/// used of it. When `used` reaches `size`, a `bundle` hold stops data until a top-up.
///
/// The unit on the wire is the megabyte of Cellhire's `bundleSizeMb` and `amountMb`, taken as
/// 1,048,576 bytes (a binary megabyte, as mobile data is metered by the gateways' octet
/// counters and sold in MB that operators bill as 1,024 KB).
public struct DataBundle: Equatable, Sendable {
    /// Bytes in one megabyte of a bundle.
    public static let bytesPerMegabyte: UInt64 = 1_048_576
    /// Largest size or top-up Cellhire's API takes, in megabytes.
    public static let maximumMegabytes = 2_147_483_647
    /// Largest bundle SimGate keeps, in bytes: a stored byte count is a signed 64-bit integer.
    public static let maximumBytes = UInt64(Int64.max)

    /// Bytes granted: the initial size plus every top-up.
    public let size: UInt64
    /// Bytes used since the bundle was granted.
    public let used: UInt64

    /// A bundle of `size` bytes of which `used` are gone.
    public init(size: UInt64, used: UInt64) {
        self.size = size
        self.used = used
    }

    /// Bytes still free; 0 once used up.
    public var remaining: UInt64 { size > used ? size - used : 0 }
    /// Bytes used beyond the bundle before its hold took effect (sessions report in arrears).
    public var overshoot: UInt64 { used > size ? used - size : 0 }
    /// Whether the bundle is used up, so the SIM must be held.
    public var isExhausted: Bool { used >= size }

    /// `megabytes` in bytes; `nil` outside 1...``maximumMegabytes``.
    public static func bytes(megabytes: Int) -> UInt64? {
        guard (1...maximumMegabytes).contains(megabytes) else { return nil }
        return UInt64(megabytes) * bytesPerMegabyte
    }
}
