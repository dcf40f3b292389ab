import Foundation

/// Something that happened to a SIM that a rule's trigger may match, read from an event or
/// from recorded usage.
public enum RuleFact: Sendable {
    /// The SIM is now served in `country` on `network`; `previousCountry` where it was.
    case located(country: String?, network: String?, previousCountry: String?)
    /// The SIM passed data for the first time.
    case firstUse
    /// The SIM turned up in device `imei`, after `previousIMEI`.
    case deviceChanged(imei: String?, previousIMEI: String?)
    /// The SIM's status went from `from` to `to`.
    case statusChanged(from: SimStatus, to: SimStatus)
    /// A payment for the SIM failed.
    case paymentFailed
    /// The SIM's `payment` hold was placed.
    case entitlementLapsed
    /// A data session opened on `rat` on `network`.
    case sessionOpened(rat: String?, network: String?)
    /// The SIM's usage totals now, per window; the bundle's size and use when it has one.
    case usage(totals: [UsageWindow: UInt64], bundle: (size: UInt64, used: UInt64)?)
    /// The SIM has passed no data since `lastDataAt` (or ever, when `nil`); checked at `now`.
    case idle(lastDataAt: Date?, now: Date)
}

/// A trigger that matched a fact: what it saw, and the window it fired for (usage triggers
/// fire once per window, so the window is part of what was matched).
public struct TriggerMatch: Equatable, Sendable {
    /// The values that matched, by name (`country: FR`, `allowed: DE`), shown on the firing.
    public let values: [String: String]
    /// The window the firing belongs to (`day:2026-12-02`, `bundle:1048576`), for triggers
    /// that fire once per window; `nil` for the others.
    public let window: String?

    /// A match with `values`, for `window` when the trigger fires once per window.
    public init(values: [String: String], window: String? = nil) {
        self.values = values
        self.window = window
    }
}

extension RuleTrigger {
    /// What the trigger matched in `fact` at `time`, or `nil` when it does not match.
    public func match(_ fact: RuleFact, at time: Date) -> TriggerMatch? {
        switch (self, fact) {
        case let (.countryNotIn(allowed), .located(country?, network, _)) where !allowed.contains(country):
            return TriggerMatch(values: ["country": country, "network": network ?? "", "allowed": allowed.sorted().joined(separator: ",")])
        case let (.countryChanged, .located(country?, network, previous?)) where country != previous:
            return TriggerMatch(values: ["country": country, "previous_country": previous, "network": network ?? ""])
        case (.firstUse, .firstUse):
            return TriggerMatch(values: [:])
        case let (.deviceChanged, .deviceChanged(imei, previous)):
            return TriggerMatch(values: ["imei": imei ?? "", "previous_imei": previous ?? ""])
        case let (.statusChanged(wantedFrom, wantedTo), .statusChanged(from, to)):
            guard wantedFrom.map({ $0 == from }) ?? true, wantedTo.map({ $0 == to }) ?? true else { return nil }
            return TriggerMatch(values: ["from": from.rawValue, "to": to.rawValue])
        case (.paymentFailed, .paymentFailed), (.entitlementLapsed, .entitlementLapsed):
            return TriggerMatch(values: [:])
        case let (.sessionOpened(rats, networks), .sessionOpened(rat, network)):
            guard rats.isEmpty || rat.map(rats.contains) == true, networks.isEmpty || network.map(networks.contains) == true else { return nil }
            return TriggerMatch(values: ["rat": rat ?? "", "network": network ?? ""])
        case let (.usageOver(limit, window), .usage(totals, _)):
            guard let total = totals[window], total >= limit else { return nil }
            return TriggerMatch(values: ["used_bytes": String(total), "limit_bytes": String(limit), "window": window.rawValue], window: Self.windowKey(window, at: time))
        case let (.bundleUsed(percent), .usage(_, bundle?)):
            // used / size >= percent / 100, in integers that cannot overflow.
            guard bundle.size > 0, bundle.used.multipliedFullWidth(by: 100) >= bundle.size.multipliedFullWidth(by: UInt64(percent)) else { return nil }
            return TriggerMatch(
                values: ["used_bytes": String(bundle.used), "bundle_bytes": String(bundle.size), "percent": String(percent)],
                window: "bundle:\(bundle.size)"
            )
        case let (.noData(hours), .idle(lastDataAt, now)):
            guard let lastDataAt, now.timeIntervalSince(lastDataAt) >= TimeInterval(hours) * 3_600 else { return nil }
            return TriggerMatch(values: ["last_data_at": ISO8601DateFormatter().string(from: lastDataAt), "hours": String(hours)], window: "idle:\(lastDataAt.epochMilliseconds)")
        default:
            return nil
        }
    }

    /// The key of the window `time` falls in: `day:2026-12-02`, `month:2026-12`, `lifetime`.
    /// A billing period is the UTC month, and keyed as one.
    static func windowKey(_ window: UsageWindow, at time: Date) -> String {
        let parts = Calendar.utc.dateComponents([.year, .month, .day], from: time)
        let month = String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
        switch window {
        case .day: return "day:\(month)-" + String(format: "%02d", parts.day ?? 0)
        case .month, .billingPeriod: return "month:\(month)"
        case .lifetime: return "lifetime"
        }
    }
}

/// Whether a rule that last fired as `state` says may fire again for `match` at `time`.
public struct RuleFiringState: Equatable, Sendable {
    /// How many times the rule fired for the SIM.
    public var count: Int
    /// When it last fired.
    public var lastFiredAt: Date?
    /// From when it may fire again; `nil` for never.
    public var rearmsAt: Date?
    /// The window it last fired for, for triggers that fire once per window.
    public var lastWindow: String?

    /// A state with these values; the default is a rule that never fired.
    public init(count: Int = 0, lastFiredAt: Date? = nil, rearmsAt: Date? = .distantPast, lastWindow: String? = nil) {
        self.count = count
        self.lastFiredAt = lastFiredAt
        self.rearmsAt = rearmsAt
        self.lastWindow = lastWindow
    }

    /// Whether the rule may fire for `match` at `time`: re-armed, and not already fired in
    /// the same window.
    public func allows(_ match: TriggerMatch, at time: Date) -> Bool {
        guard let rearmsAt, time >= rearmsAt else { return false }
        if let window = match.window, window == lastWindow { return false }
        return true
    }

    /// The state after firing for `match` at `time` under `policy`.
    public func firing(_ match: TriggerMatch, at time: Date, policy: RearmPolicy) -> RuleFiringState {
        RuleFiringState(count: count + 1, lastFiredAt: time, rearmsAt: policy.rearmsAt(afterFiringAt: time), lastWindow: match.window ?? lastWindow)
    }
}
