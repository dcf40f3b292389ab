import Foundation

extension Calendar {
    /// The Gregorian calendar in UTC: the days and months SimGate counts usage, re-arms rules
    /// and prices by, whatever the machine's time zone.
    public static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
