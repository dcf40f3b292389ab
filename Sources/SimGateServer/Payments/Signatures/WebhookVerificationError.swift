/// Why an incoming webhook was not accepted as authentic. Each maps to a 400 with its code.
enum WebhookVerificationError: Error, Equatable {
    /// The signature header is absent or unreadable.
    case missingSignature(String)
    /// No configured secret produces the signature.
    case signatureMismatch
    /// The signed timestamp is outside the tolerance.
    case staleTimestamp
    /// The body cannot be read as the gateway's format.
    case malformedBody(String)

    var apiError: APIError {
        switch self {
        case .missingSignature(let detail):
            APIError.invalid("signature_missing", detail, param: nil)
        case .signatureMismatch:
            APIError.invalid("signature_invalid", "No configured secret matches the signature.")
        case .staleTimestamp:
            APIError.invalid("timestamp_out_of_tolerance", "The signed timestamp is too far from now; replays are refused.")
        case .malformedBody(let detail):
            APIError.invalid("payload_invalid", detail)
        }
    }
}

/// Compares two byte strings without stopping at the first difference.
enum ConstantTime {
    static func equals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(lhs, rhs) { difference |= left ^ right }
        return difference == 0
    }
}

extension Sequence<UInt8> {
    /// Lowercase hexadecimal.
    var hexString: String { map { String(format: "%02x", $0) }.joined() }
}
