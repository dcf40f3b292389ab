import Foundation

/// The times usage may carry. Gateways with a flat clock battery report 1970, and a typo in
/// a CDR file can put a record in 2206: neither may land in a total that a statement or a
/// rule reads.
public enum UsageTimeBounds {
    /// Nothing is dated before 2000-01-01T00:00:00Z.
    public static let earliest = Date(timeIntervalSince1970: 946_684_800)
    /// How far past the receiver's clock a time may be (clocks drift; a day is generous), in seconds.
    public static let maximumLead: TimeInterval = 86_400

    /// Whether `time` may be stored, judged at `now`.
    public static func isPlausible(_ time: Date, now: Date) -> Bool {
        time >= earliest && time <= now.addingTimeInterval(maximumLead)
    }
}

/// Byte counts are stored as signed 64-bit integers on both engines, and every sum of them
/// (totals by day, month, country, SIM and account) must stay one.
public enum UsageByteLimits {
    /// The largest count of bytes one record, session or total may hold.
    public static let maximum = UInt64(Int64.max)

    /// `total + added`, or `nil` when that passes ``maximum``.
    public static func adding(_ added: UInt64, to total: UInt64) -> UInt64? {
        let (sum, overflow) = total.addingReportingOverflow(added)
        return overflow || sum > maximum ? nil : sum
    }
}
