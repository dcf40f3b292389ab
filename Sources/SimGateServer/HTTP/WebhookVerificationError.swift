/// Why an incoming webhook was not accepted as authentic. Each maps to a 400 with its code.
enum WebhookVerificationError: Error, Equatable {
    /// The signature header is absent or unreadable.
    case missingSignature(String)
    /// No configured secret produces the signature.
    case signatureMismatch
    /// The signed timestamp is outside the tolerance.
    case staleTimestamp
    /// The body cannot be read as the gateway's format.
    case malformedBody(String, field: String? = nil)

    /// The 400 error the gateway is answered with.
    var apiError: APIError {
        switch self {
        case .missingSignature(let detail):
            APIError.invalid("signature_missing", detail, param: nil)
        case .signatureMismatch:
            APIError.invalid("signature_invalid", "No configured secret matches the signature.")
        case .staleTimestamp:
            APIError.invalid("timestamp_out_of_tolerance", "The signed timestamp is too far from now; replays are refused.")
        case .malformedBody(let detail, let field):
            APIError.invalid("payload_invalid", detail, param: field)
        }
    }
}
