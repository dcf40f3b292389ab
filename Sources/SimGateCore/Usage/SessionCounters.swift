/// The cumulative byte counters of one data session, as RADIUS accounting reports them, and
/// the usage each new report adds.
///
/// Reports carry totals since the session began (octets plus 2^32 × gigawords). A report is
/// turned into a delta against the highest totals seen so far, so a retransmitted or
/// reordered report adds nothing, and a total that goes backwards is flagged rather than
/// subtracted.
public struct SessionCounters: Equatable, Sendable {
    /// Highest totals seen, in bytes.
    public private(set) var inputBytes: UInt64
    /// Highest output total seen, in bytes: what the device downloaded.
    public private(set) var outputBytes: UInt64

    /// Counters starting from these totals (zero for a new session).
    public init(inputBytes: UInt64 = 0, outputBytes: UInt64 = 0) {
        self.inputBytes = inputBytes
        self.outputBytes = outputBytes
    }

    /// What one report adds.
    public struct Delta: Equatable, Sendable {
        /// Bytes sent by the device (RADIUS "input" from the gateway's view is upload).
        public let inputBytes: UInt64
        /// Bytes sent to the device (download).
        public let outputBytes: UInt64
        /// A total was lower than one seen before: a reset or a reordered report.
        public let wentBackwards: Bool

        /// Whether the report added no bytes at all.
        public var isEmpty: Bool { inputBytes == 0 && outputBytes == 0 }
    }

    /// The total of a 32-bit octet counter and its gigaword counter, in bytes.
    public static func total(octets: UInt32, gigawords: UInt32) -> UInt64 {
        UInt64(gigawords) << 32 | UInt64(octets)
    }

    /// Records a report's totals and returns the usage they add.
    public mutating func record(inputBytes newInput: UInt64, outputBytes newOutput: UInt64) -> Delta {
        let delta = Delta(
            inputBytes: newInput > inputBytes ? newInput - inputBytes : 0,
            outputBytes: newOutput > outputBytes ? newOutput - outputBytes : 0,
            wentBackwards: newInput < inputBytes || newOutput < outputBytes
        )
        inputBytes = max(inputBytes, newInput)
        outputBytes = max(outputBytes, newOutput)
        return delta
    }

    /// Takes back what a recorded report added, when its usage was refused (it would have
    /// carried a total past 2^63 bytes): else the session kept the refused totals, and every
    /// later report, its counters below them, added nothing. Each side only ever grew by at
    /// least the delta since it was recorded, so nothing goes below zero.
    public mutating func takeBack(inputBytes input: UInt64, outputBytes output: UInt64) {
        inputBytes -= min(input, inputBytes)
        outputBytes -= min(output, outputBytes)
    }
}
