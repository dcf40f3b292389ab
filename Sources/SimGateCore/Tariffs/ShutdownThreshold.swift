import Foundation

/// How long an AOFU SIM stays provisioned after it first passes data (Cellhire's
/// `shutdownThreshold`, in hours). The shutdown is always counted from the first use, whenever
/// the threshold is set or changed.
public struct ShutdownThreshold: Equatable, Sendable {
    /// Largest threshold Cellhire's API takes, in hours.
    public static let maximumHours = 2_147_483_647

    /// Hours after the first use.
    public let hours: Int

    /// A threshold of `hours`; `nil` outside 1...``maximumHours``.
    public init?(hours: Int) {
        guard (1...Self.maximumHours).contains(hours) else { return nil }
        self.hours = hours
    }

    /// The last instant an RFC 3339 time can show (9999-12-31T23:59:59Z).
    public static let latestShutdown = Date(timeIntervalSince1970: 253_402_300_799)

    /// When a SIM first used at `firstUse` is unprovisioned. A threshold of many thousand
    /// years stops at ``latestShutdown``, which is never in practice.
    public func shutdown(after firstUse: Date) -> Date {
        min(firstUse.addingTimeInterval(Double(hours) * 3_600), Self.latestShutdown)
    }
}
