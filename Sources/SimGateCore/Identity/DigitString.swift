/// Checks shared by the numeric identifiers of a SIM and a device.
enum DigitString {
    /// Whether `text` is non-empty and made only of ASCII digits.
    static func isAllDigits(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}
