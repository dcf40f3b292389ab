import Foundation
import SimGateCore
import Testing

/// The arithmetic UTC text must be what Foundation's ISO 8601 formatting writes, for any
/// instant in years 1 to 9999 and at the edges where calendars go wrong.
@Suite("UTC time text")
struct UTCTimeTextTests {
    private static func foundationDay(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day())
    }

    private static func foundationRFC3339(_ milliseconds: Int64) -> String {
        let (seconds, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1_000)
        let (whole, millisecond) = fraction < 0 ? (seconds - 1, fraction + 1_000) : (seconds, fraction)
        let text = Date(timeIntervalSince1970: TimeInterval(whole)).formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
        return text.dropLast() + "." + String(millisecond + 1_000).dropFirst() + "Z"
    }

    @Test("edges: the epoch, leap days, century years, the ends of years 1 and 9999, instants before 1970")
    func edges() {
        let instants: [Int64] = [
            0, -1, 1, 86_399_999, 86_400_000, -86_400_000, -86_400_001,
            951_782_400_000, 951_868_799_999,  // 2000-02-29, a leap day in a year divisible by 400
            4_107_542_400_000,  // 2100-03-01, after a February with no leap day
            -12_219_292_800_000, -12_219_292_800_001,  // 1582-10-15, the first Gregorian day, and the Julian day before
            1_709_164_800_000,  // 2024-02-29
            -62_135_596_800_000, -62_135_596_799_999,  // 0001-01-01T00:00:00.000Z and .001
            253_402_300_799_999,  // 9999-12-31T23:59:59.999Z
            -2_208_988_800_000,  // 1900-01-01, not a leap year
            1_796_214_754_123,
        ]
        for milliseconds in instants {
            #expect(UTCTimeText.rfc3339(epochMilliseconds: milliseconds) == Self.foundationRFC3339(milliseconds), "at \(milliseconds) ms")
            let date = Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1_000)
            #expect(UTCTimeText.day(date) == Self.foundationDay(date), "at \(milliseconds) ms")
        }
    }

    @Test("20,000 random instants in years 1 to 9999 read the same as Foundation writes them")
    func randomInstants() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let milliseconds = Int64.random(in: -62_135_596_800_000...253_402_300_799_999, using: &generator)
            #expect(UTCTimeText.rfc3339(epochMilliseconds: milliseconds) == Self.foundationRFC3339(milliseconds), "at \(milliseconds) ms")
            let date = Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1_000)
            #expect(UTCTimeText.day(date) == Self.foundationDay(date), "at \(milliseconds) ms")
        }
    }
}
