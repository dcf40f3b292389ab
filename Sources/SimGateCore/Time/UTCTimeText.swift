import Foundation

/// UTC dates and times as text, computed with integer arithmetic from Unix time. Foundation's
/// date formatting costs microseconds per call, and SimGate writes a timestamp for every
/// usage record's day and month and several into every JSON resource it serves; these give
/// the same text (from 15 October 1582 to the end of year 9999; other times fall back to
/// Foundation).
public enum UTCTimeText {
    /// `2026-11-22`: the UTC day of `date`.
    public static func day(_ date: Date) -> String {
        let seconds = floorSeconds(date)
        guard let civil = civil(seconds) else { return date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day()) }
        var text = [UInt8](repeating: 0, count: 10)
        write(civil, into: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// `2026-11-22T10:00:00.123Z`: the instant's whole milliseconds since 1970 in UTC.
    public static func rfc3339(epochMilliseconds milliseconds: Int64) -> String {
        let (seconds, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1_000)
        let (wholeSeconds, millisecond) = fraction < 0 ? (seconds - 1, fraction + 1_000) : (seconds, fraction)
        guard let civil = civil(wholeSeconds) else {
            let text = Date(timeIntervalSince1970: TimeInterval(wholeSeconds)).formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
            return text.dropLast() + "." + String(millisecond + 1_000).dropFirst() + "Z"
        }
        var text = [UInt8](repeating: 0, count: 24)
        write(civil, into: &text)
        text[10] = UInt8(ascii: "T")
        let secondOfDay = Int(wholeSeconds - civil.days * 86_400)
        writeDigits(secondOfDay / 3_600, count: 2, at: 11, into: &text)
        text[13] = UInt8(ascii: ":")
        writeDigits(secondOfDay / 60 % 60, count: 2, at: 14, into: &text)
        text[16] = UInt8(ascii: ":")
        writeDigits(secondOfDay % 60, count: 2, at: 17, into: &text)
        text[19] = UInt8(ascii: ".")
        writeDigits(Int(millisecond), count: 3, at: 20, into: &text)
        text[23] = UInt8(ascii: "Z")
        return String(decoding: text, as: UTF8.self)
    }

    /// The Gregorian date of a day counted from 1970-01-01, and that day number.
    private struct Civil {
        let year: Int
        let month: Int
        let day: Int
        let days: Int64
    }

    private static func floorSeconds(_ date: Date) -> Int64 {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        // Far outside years 1 to 9999: let Foundation say what it says.
        guard abs(seconds) < 1e15 else { return .min }
        return Int64(seconds)
    }

    /// The civil date holding Unix second `seconds`, or nil from 1582-10-15 back and after
    /// year 9999. Foundation's Gregorian calendar is Julian before that day, and its text and
    /// parsing must keep agreeing with what is written here, so earlier times are left to it.
    private static func civil(_ seconds: Int64) -> Civil? {
        // 1582-10-15T00:00:00Z, the first Gregorian day, and 9999-12-31T23:59:59Z.
        guard (-12_219_292_800...253_402_300_799).contains(seconds) else { return nil }
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        // Count from 0000-03-01, so that a leap day is the last day of its year, in 400-year
        // eras of 146,097 days each.
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return Civil(year: Int(year), month: Int(month), day: Int(day), days: days)
    }

    /// `YYYY-MM-DD` into the first ten bytes.
    private static func write(_ civil: Civil, into text: inout [UInt8]) {
        writeDigits(civil.year, count: 4, at: 0, into: &text)
        text[4] = UInt8(ascii: "-")
        writeDigits(civil.month, count: 2, at: 5, into: &text)
        text[7] = UInt8(ascii: "-")
        writeDigits(civil.day, count: 2, at: 8, into: &text)
    }

    private static func writeDigits(_ value: Int, count: Int, at offset: Int, into text: inout [UInt8]) {
        var value = value
        for index in stride(from: offset + count - 1, through: offset, by: -1) {
            text[index] = UInt8(ascii: "0") + UInt8(value % 10)
            value /= 10
        }
    }
}
