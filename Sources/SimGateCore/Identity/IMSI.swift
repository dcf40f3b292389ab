/// International Mobile Subscriber Identity: the subscriber number the network sees (3GPP TS 23.003).
///
/// Exactly 15 digits: MCC (3), MNC (2 or 3) and the subscriber part.
public struct IMSI: Hashable, Sendable, CustomStringConvertible {
    /// The 15 digits.
    public let digits: String

    /// Validates `text` and keeps it as the IMSI.
    public init(_ text: String) throws(ValidationError) {
        guard DigitString.isAllDigits(text), text.utf8.count == 15 else {
            throw ValidationError(code: "invalid_imsi", message: "An IMSI has exactly 15 digits.")
        }
        digits = text
    }

    /// Keeps already validated digits (read back from storage).
    public init(trusted digits: String) { self.digits = digits }

    /// The Mobile Country Code: the first three digits.
    public var mobileCountryCode: String { String(digits.prefix(3)) }

    public var description: String { digits }
}
