import Foundation
import SimGateCore
import Testing

/// RFC 3339 times and days are read exactly or refused: no field is rolled over into the next.
@Suite("RFC 3339 times read exactly")
struct RFC3339TimeTests {
    @Test("real times and days are read, with fractions and offsets")
    func real() throws {
        #expect(RFC3339Time.date(from: "2026-11-22T10:00:00Z") == Date(timeIntervalSince1970: 1_795_341_600))
        #expect(RFC3339Time.date(from: "2026-11-22T10:00:00.250Z") == Date(timeIntervalSince1970: 1_795_341_600.25))
        #expect(RFC3339Time.date(from: "2026-11-22T11:30:00+01:30") == Date(timeIntervalSince1970: 1_795_341_600))
        #expect(RFC3339Time.date(from: "2026-11-22t10:00:00.250z") == Date(timeIntervalSince1970: 1_795_341_600.25), "t and z in lower case (RFC 3339, 5.6)")
        #expect(RFC3339Time.date(from: "2028-02-29T23:59:59Z") != nil, "a leap day")
        #expect(RFC3339Time.date(from: "2000-02-29T00:00:00Z") != nil, "a leap day of a year divisible by 400")
        #expect(RFC3339Time.day(from: "2026-11-22") == Date(timeIntervalSince1970: 1_795_305_600))
    }

    /// Read whole and rounded when stored, `.9999` became the next second: a paid period sent
    /// to end at 00:00:00.9999 ran to 00:00:01.000.
    @Test("a time to be stored finer than milliseconds is cut to the millisecond it falls in, never rounded up")
    func finerThanMilliseconds() throws {
        let midnight = 1_795_305_600.0
        for (text, milliseconds) in [("2026-11-22T00:00:00.9999Z", 999), ("2026-11-22T00:00:00.0005Z", 0), ("2026-11-22T01:00:00.123456789+01:00", 123)] {
            let date = try #require(RFC3339Time.storableDate(from: text), "\(text)")
            #expect((date.timeIntervalSince1970 * 1_000).rounded() == midnight * 1_000 + Double(milliseconds), "\(text)")
        }
    }

    @Test("impossible fields are refused, not rolled over", arguments: [
        "2027-02-30T10:00:00Z", "2026-02-29T10:00:00Z", "1900-02-29T10:00:00Z", "2026-04-31T10:00:00Z", "2026-13-01T10:00:00Z",
        "2026-00-10T10:00:00Z", "2026-11-00T10:00:00Z", "2026-11-30T24:00:00Z", "2026-11-30T23:60:00Z", "2026-11-30T23:59:60Z",
        "2027-02-30T25:61:61Z", "2026-11-30T10:00:00+24:00", "2026-11-30T10:00:00-05:60", "2026-11-30T10:00:00.5+99:00",
    ])
    func impossible(_ text: String) {
        #expect(RFC3339Time.date(from: text) == nil)
    }

    @Test("impossible days are refused", arguments: ["2027-02-29", "2026-06-31", "2026-13-01", "2026-11-00", "2026-11-2", "2026-11-22T00:00:00Z"])
    func impossibleDays(_ text: String) {
        #expect(RFC3339Time.day(from: text) == nil)
    }
}
