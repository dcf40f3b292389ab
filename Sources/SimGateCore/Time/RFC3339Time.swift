import Foundation

/// Reads RFC 3339 times (`2026-11-22T10:00:00Z`, `2026-11-22T10:00:00.123+01:00`) and days
/// (`2026-11-22`), refusing any whose fields name no real date or time.
///
/// Foundation's ISO 8601 parser rolls fields over rather than refusing them: it read
/// `2027-02-30T25:61:61Z` as 3 March 02:02:01, so a price, a usage record or a paid period
/// given an impossible time was silently moved to another one. Every field is checked
/// here first, against its range and, for the day, against its month in its year.
public enum RFC3339Time {
    /// The instant `text` names, or `nil` when it is not an RFC 3339 time with real fields.
    public static func date(from text: String) -> Date? {
        // RFC 3339 (5.6) allows `t` and `z` in lower case; Foundation's parser takes only upper.
        let text = text.utf8.contains { $0 == UInt8(ascii: "t") || $0 == UInt8(ascii: "z") } ? text.uppercased() : text
        guard fieldsAreReal(Array(text.utf8), withTime: true) else { return nil }
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        return try? Date.ISO8601FormatStyle().parse(text)
    }

    /// The instant `text` names, cut to the millisecond it falls in, for a time to be stored.
    /// SimGate keeps times to the millisecond; read whole and rounded as it was stored,
    /// `00:00:00.9999Z` became `00:00:01.000`, a paid period a moment longer than the one sent.
    /// (A bound of a query is read whole by ``date(from:)``: it is rounded inwards there.)
    public static func storableDate(from text: String) -> Date? {
        date(from: toMilliseconds(text))
    }

    /// `text` with any fraction of a second cut to its first three digits.
    private static func toMilliseconds(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count > 23, bytes[19] == UInt8(ascii: ".") else { return text }
        var end = 20
        while end < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[end]) { end += 1 }
        guard end > 23 else { return text }
        return String(decoding: bytes[..<23] + bytes[end...], as: UTF8.self)
    }

    /// The start (UTC) of the day `YYYY-MM-DD`, or `nil` when that is no real day.
    public static func day(from text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, fieldsAreReal(bytes, withTime: false) else { return nil }
        return try? Date.ISO8601FormatStyle().year().month().day().parse(text)
    }

    /// Whether the date (and, `withTime`, the time and any offset) at the start of `bytes`
    /// lie within their ranges. The layout itself is left to the parser that follows.
    private static func fieldsAreReal(_ bytes: [UInt8], withTime: Bool) -> Bool {
        func number(_ start: Int, _ length: Int) -> Int? {
            guard start >= 0, start + length <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<(start + length)] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), (1...12).contains(month) else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...daysInMonth).contains(day) else { return false }
        guard withTime else { return true }
        // A leap second (60) is refused too: no instant SimGate keeps can be written with it.
        guard let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              hour <= 23, minute <= 59, second <= 59 else { return false }
        // An offset (`+01:00`, `-05:30`) after the seconds and any fraction.
        if let sign = bytes.indices.dropFirst(19).first(where: { bytes[$0] == UInt8(ascii: "+") || bytes[$0] == UInt8(ascii: "-") }) {
            guard let hours = number(sign + 1, 2), let minutes = number(sign + 4, 2), hours <= 23, minutes <= 59 else { return false }
        }
        return true
    }
}
