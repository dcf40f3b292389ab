/// Integrated Circuit Card Identifier: the number printed on a SIM (ITU-T E.118).
///
/// 18 to 22 digits; the last one is a Luhn check digit over the others.
public struct ICCID: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// The digits, as printed on the card.
    public let digits: String

    /// Validates `text` and keeps it as the ICCID.
    public init(_ text: String) throws(ValidationError) {
        guard DigitString.isAllDigits(text) else {
            throw ValidationError(code: "invalid_iccid", message: "An ICCID contains digits only.")
        }
        guard (18...22).contains(text.count) else {
            throw ValidationError(code: "invalid_iccid", message: "An ICCID has 18 to 22 digits; this one has \(text.count).")
        }
        guard Luhn.isValid(text) else {
            throw ValidationError(code: "invalid_iccid", message: "The ICCID's last digit is not its Luhn check digit.")
        }
        digits = text
    }

    /// Keeps already validated digits (read back from storage).
    public init(trusted digits: String) { self.digits = digits }

    public var description: String { digits }
    public static func < (lhs: ICCID, rhs: ICCID) -> Bool { lhs.digits < rhs.digits }

}
