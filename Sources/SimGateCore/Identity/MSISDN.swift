/// The phone number of a SIM in international form (E.164), stored without a leading `+`.
public struct MSISDN: Hashable, Sendable, CustomStringConvertible {
    /// Country code and subscriber number, 6 to 15 digits.
    public let digits: String

    /// Validates `text` (a leading `+` is accepted and dropped) and keeps it as the MSISDN.
    public init(_ text: String) throws(ValidationError) {
        let bare = text.hasPrefix("+") ? String(text.dropFirst()) : text
        guard DigitString.isAllDigits(bare), (6...15).contains(bare.count) else {
            throw ValidationError(code: "invalid_msisdn", message: "An MSISDN has 6 to 15 digits, optionally after a '+'.")
        }
        digits = bare
    }

    /// Keeps already validated digits (read back from storage).
    public init(trusted digits: String) { self.digits = digits }

    public var description: String { digits }
}
