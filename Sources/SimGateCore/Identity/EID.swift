/// eUICC Identifier of an embedded SIM (GSMA SGP.02): 32 digits.
public struct EID: Hashable, Sendable, CustomStringConvertible {
    /// The 32 digits.
    public let digits: String

    /// Validates `text` and keeps it as the EID.
    public init(_ text: String) throws(ValidationError) {
        guard DigitString.isAllDigits(text), text.count == 32 else {
            throw ValidationError(code: "invalid_eid", message: "An EID has exactly 32 digits.")
        }
        digits = text
    }

    /// Keeps already validated digits (read back from storage).
    public init(trusted digits: String) { self.digits = digits }

    public var description: String { digits }
}
