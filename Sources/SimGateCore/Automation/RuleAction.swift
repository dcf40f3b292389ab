import Foundation

/// What a rule does when it fires, now or after a delay.
public struct RuleAction: Equatable, Sendable {
    /// The kinds of action.
    public enum Kind: Equatable, Sendable {
        /// Sends the `rule.triggered` event, signed, to one of the account's webhook endpoints.
        case webhook(endpoint: WebhookEndpointID)
        /// Places the rule's own hold (`rule:<id>`): the SIM goes OFFLINE.
        case setOffline
        /// Lifts the rule's own hold, if it is in force.
        case liftHold
        /// Adds `bytes` to the SIM's data bundle (SIMs without a bundle are left alone).
        case topUp(bytes: UInt64)

        /// The wire name of the action's type.
        public var typeName: String {
            switch self {
            case .webhook: "webhook"
            case .setOffline: "set_offline"
            case .liftHold: "lift_hold"
            case .topUp: "top_up"
            }
        }
    }

    /// What to do.
    public let kind: Kind
    /// How long after the rule fires, in seconds; 0 is at once.
    public let delaySeconds: Int64

    /// An action of `kind`, `delaySeconds` after the firing.
    public init(_ kind: Kind, delaySeconds: Int64 = 0) {
        self.kind = kind
        self.delaySeconds = delaySeconds
    }

    /// Longest delay: a year, in seconds.
    public static let maximumDelaySeconds: Int64 = 366 * 86_400
    /// Most actions one rule has.
    public static let maximumCount = 10
}

/// When a rule that fired for a SIM may fire for it again.
public enum RearmPolicy: Equatable, Sendable {
    /// At the next matching fact.
    case immediately
    /// From the next UTC midnight.
    case nextDay
    /// From the first of the next UTC month.
    case nextMonth
    /// After this many seconds.
    case after(seconds: Int64)
    /// Never again for that SIM.
    case never

    /// The wire name of the policy's type.
    public var typeName: String {
        switch self {
        case .immediately: "immediately"
        case .nextDay: "next_day"
        case .nextMonth: "next_month"
        case .after: "after"
        case .never: "never"
        }
    }

    /// When a rule that fired at `firing` may fire again; `nil` for never.
    public func rearmsAt(afterFiringAt firing: Date) -> Date? {
        let calendar = Calendar.utc
        switch self {
        case .immediately: return firing
        case .nextDay: return calendar.nextDate(after: firing, matching: DateComponents(hour: 0, minute: 0, second: 0), matchingPolicy: .strict)
        case .nextMonth: return calendar.nextDate(after: firing, matching: DateComponents(day: 1, hour: 0, minute: 0, second: 0), matchingPolicy: .strict)
        case .after(let seconds): return firing + TimeInterval(seconds)
        case .never: return nil
        }
    }

    /// Longest `after` duration: a year, in seconds.
    public static let maximumSeconds: Int64 = 366 * 86_400
}
