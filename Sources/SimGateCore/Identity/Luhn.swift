/// The Luhn (mod 10) check digit used by ICCIDs and IMEIs.
public enum Luhn {
    /// Whether the last digit of `digits` is the correct Luhn check digit for the ones before it.
    /// `digits` must contain only ASCII digits.
    public static func isValid(_ digits: some StringProtocol) -> Bool {
        guard digits.count >= 2 else { return false }
        return checkDigit(for: digits.dropLast()) == digits.last?.wholeNumberValue
    }

    /// The Luhn check digit to append to `payload` (ASCII digits only).
    public static func checkDigit(for payload: some StringProtocol) -> Int {
        var sum = 0
        // Walking from the right, every second digit starting with the rightmost payload digit is doubled.
        for (offset, character) in payload.reversed().enumerated() {
            guard let digit = character.wholeNumberValue else { return -1 }
            if offset % 2 == 0 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return (10 - sum % 10) % 10
    }
}
