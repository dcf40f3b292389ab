import Foundation

/// A calendar month in UTC, the unit statements are made for: `2026-11` runs from
/// 2026-11-01T00:00:00Z up to, not including, 2026-12-01T00:00:00Z.
public struct BillingMonth: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The year, 2000 to 9999.
    public let year: Int
    /// The month, 1 to 12.
    public let month: Int

    /// Reads `YYYY-MM` (`2026-11`); `nil` for anything else, or a year outside 2000-9999.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 7, parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              parts.allSatisfy({ $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }),
              let year = Int(parts[0]), let month = Int(parts[1]), (2000...9999).contains(year), (1...12).contains(month)
        else { return nil }
        self.year = year
        self.month = month
    }

    /// The month `date` falls in, in UTC.
    public init(containing date: Date) {
        let parts = Calendar.utc.dateComponents([.year, .month], from: date)
        self.year = parts.year ?? 2000
        self.month = parts.month ?? 1
    }

    private init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// Its first instant.
    public var start: Date { Calendar.utc.date(from: DateComponents(year: year, month: month, day: 1))! }
    /// The first instant after it: the next month's start.
    public var end: Date { next.start }
    /// The month after it.
    public var next: BillingMonth { month == 12 ? BillingMonth(year: year + 1, month: 1) : BillingMonth(year: year, month: month + 1) }
    /// The month before it.
    public var previous: BillingMonth { month == 1 ? BillingMonth(year: year - 1, month: 12) : BillingMonth(year: year, month: month - 1) }
    /// How many seconds it has (2,419,200 to 2,678,400).
    public var seconds: Int64 { end.epochSeconds - start.epochSeconds }

    /// `2026-11`.
    public var description: String { String(format: "%04d-%02d", year, month) }

    public static func < (lhs: BillingMonth, rhs: BillingMonth) -> Bool { (lhs.year, lhs.month) < (rhs.year, rhs.month) }
}

extension Date {
    /// Whole seconds since 1970, rounded down: statements prorate to the second.
    public var epochSeconds: Int64 {
        let milliseconds = epochMilliseconds
        return milliseconds >= 0 ? milliseconds / 1000 : -((-milliseconds + 999) / 1000)
    }
}
