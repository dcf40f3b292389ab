import Foundation
import SimGateCore

/// A SIM's data bundle as the API shows it, in bytes (1 MB = 1,048,576 bytes).
struct BundleResource: Codable, Equatable, Sendable {
    /// Bytes granted: the initial size plus every top-up.
    let sizeBytes: UInt64
    /// Bytes used since the bundle was granted.
    let usedBytes: UInt64
    /// Bytes left; 0 once used up.
    let remainingBytes: UInt64
    /// Bytes used beyond the bundle before its hold took effect.
    let overshootBytes: UInt64

    /// The JSON field names, snake_case as the API writes them.
    enum CodingKeys: String, CodingKey {
        case sizeBytes = "size_bytes"
        case usedBytes = "used_bytes"
        case remainingBytes = "remaining_bytes"
        case overshootBytes = "overshoot_bytes"
    }

    /// The API's view of `bundle`.
    init(_ bundle: DataBundle) {
        sizeBytes = bundle.size
        usedBytes = bundle.used
        remainingBytes = bundle.remaining
        overshootBytes = bundle.overshoot
    }
}
