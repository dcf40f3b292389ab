/// The Luhn (mod 10) check digit used by ICCIDs and IMEIs.
public enum Luhn {
    /// Whether the last digit of `digits` is the correct Luhn check digit for the ones before it.
    /// Anything but ASCII digits makes it invalid.
    public static func isValid(_ digits: some StringProtocol) -> Bool {
        let bytes = digits.utf8
        let count = bytes.count
        guard count >= 2 else { return false }
        let last = bytes.index(bytes.startIndex, offsetBy: count - 1)
        guard let check = value(of: bytes[last]) else { return false }
        return checkDigit(of: bytes[..<last]) == check
    }

    /// The Luhn check digit to append to `payload` (ASCII digits only; -1 for anything else).
    public static func checkDigit(for payload: some StringProtocol) -> Int {
        checkDigit(of: payload.utf8)
    }

    /// The Luhn check digit of ASCII digits already in memory (-1 if any byte is not one).
    public static func checkDigit(ofDigits payload: UnsafeBufferPointer<UInt8>) -> Int {
        checkDigit(of: payload)
    }

    /// Works on the UTF-8 bytes: a million-row import checks a million ICCIDs, and walking
    /// them as `Character`s was a twentieth of it.
    private static func checkDigit<Bytes: Collection<UInt8>>(of payload: Bytes) -> Int {
        var sum = 0
        // Counted from the right, every second digit starting with the rightmost payload digit
        // is doubled: walking from the left, that is the first digit when the count is odd.
        var doubled = payload.count % 2 == 1
        for byte in payload {
            guard let digit = value(of: byte) else { return -1 }
            if doubled {
                sum += digit * 2 > 9 ? digit * 2 - 9 : digit * 2
            } else {
                sum += digit
            }
            doubled.toggle()
        }
        return (10 - sum % 10) % 10
    }

    /// The value of an ASCII digit; `nil` for any other byte.
    private static func value(of byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }
}
