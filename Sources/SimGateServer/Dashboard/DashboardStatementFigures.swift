import Foundation

/// Money and time spans as the statement and tariff pages print them (times and bytes are
/// ``DashboardFormat``'s). Amounts arrive as whole minor units and are printed with integer
/// arithmetic only: a `Double` would turn 0.29 EUR into 0.28999… somewhere, and a bill must
/// read the same as its CSV.
enum DashboardStatementFigures {
    /// Currencies whose minor unit is not a hundredth (ISO 4217 exponents); every other code
    /// has two digits after the point.
    private static let minorDigitsByCurrency: [String: Int] = [
        "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0,
        "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
        "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
        "CLF": 4, "UYW": 4,
    ]

    /// How many digits `currency` writes after the point (2 for EUR, 0 for JPY).
    static func minorDigits(of currency: String) -> Int {
        minorDigitsByCurrency[currency] ?? 2
    }

    /// `amount` minor units of `currency` as `1,234.56 EUR`; without a currency (time no price
    /// covered) the bare number of minor units.
    static func money(_ amount: Int64, currency: String?) -> String {
        guard let currency else { return grouped(amount.magnitude, negative: amount < 0) }
        return decimal(amount, digits: minorDigits(of: currency)) + " " + currency
    }

    /// `amount` minor units with `digits` digits after the point, thousands grouped.
    static func decimal(_ amount: Int64, digits: Int) -> String {
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        let (whole, fraction) = amount.magnitude.quotientAndRemainder(dividingBy: scale)
        let text = grouped(whole, negative: amount < 0)
        guard digits > 0 else { return text }
        return text + "." + String(String(fraction + scale).dropFirst())
    }

    /// `seconds` as days to four decimals (`1.5000`), rounded as the API rounds them.
    static func days(seconds: Int64) -> String {
        decimal(ExactDays.tenThousandths(seconds), digits: 4)
    }

    private static func grouped(_ value: UInt64, negative: Bool) -> String {
        let digits = String(value)
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return (negative ? "-" : "") + text
    }
}
