/// International Mobile Equipment Identity of the device a SIM sits in (3GPP TS 23.003).
///
/// 15 digits whose last is a Luhn check digit. The network often reports the 16-digit IMEISV
/// (14 digits of TAC and serial, then a 2-digit software version); `init(fromNetwork:)` derives
/// the IMEI from either.
public struct IMEI: Hashable, Sendable, CustomStringConvertible {
    /// The 15 digits.
    public let digits: String

    /// Validates a 15-digit IMEI with its Luhn check digit.
    public init(_ text: String) throws(ValidationError) {
        guard DigitString.isAllDigits(text), text.utf8.count == 15 else {
            throw ValidationError(code: "invalid_imei", message: "An IMEI has exactly 15 digits.")
        }
        guard Luhn.isValid(text) else {
            throw ValidationError(code: "invalid_imei", message: "The IMEI's last digit is not its Luhn check digit.")
        }
        digits = text
    }

    /// Accepts an IMEI or an IMEISV as the network reports them and derives the IMEI.
    /// Most accounting reports carry one (3GPP-IMEISV), so this works on the UTF-8 bytes:
    /// counting characters and joining substrings was 4% of reading a report.
    public init(fromNetwork text: String) throws(ValidationError) {
        guard text.utf8.count == 16, DigitString.isAllDigits(text) else {
            try self.init(text)
            return
        }
        // The first 14 digits (TAC and serial) and their check digit; the version is dropped.
        self.init(trusted: String(unsafeUninitializedCapacity: 15) { digits in
            _ = digits.initialize(from: text.utf8.prefix(14))
            digits[14] = UInt8(ascii: "0") + UInt8(Luhn.checkDigit(ofDigits: UnsafeBufferPointer(rebasing: digits[..<14])))
            return 15
        })
    }

    /// Keeps already validated digits (read back from storage).
    public init(trusted digits: String) { self.digits = digits }

    public var description: String { digits }
}
