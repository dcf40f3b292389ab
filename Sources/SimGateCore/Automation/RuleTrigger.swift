import Foundation

/// The span of time a usage trigger adds bytes up over.
public enum UsageWindow: String, Sendable, CaseIterable {
    /// The current UTC day.
    case day
    /// The current UTC month.
    case month
    /// The current billing period: SimGate bills by UTC calendar month (as statements do),
    /// so this is the month, kept apart so that a rule says what its customer means.
    case billingPeriod = "billing_period"
    /// Everything the SIM ever used with its current account.
    case lifetime
}

/// What makes a rule fire for a SIM. Each watches one kind of fact.
public enum RuleTrigger: Equatable, Sendable {
    /// The SIM's usage in `window` reached `limitBytes` (fires once per window).
    case usageOver(limitBytes: UInt64, window: UsageWindow)
    /// The SIM used `percent` of its data bundle (fires once per bundle size).
    case bundleUsed(percent: Int)
    /// The SIM is served in a country outside `countries` (ISO 3166-1 alpha-2).
    case countryNotIn(Set<String>)
    /// The SIM moved from one country to another.
    case countryChanged
    /// The SIM passed data for the first time.
    case firstUse
    /// The SIM turned up in another device (IMEI) than before.
    case deviceChanged
    /// The SIM's status changed, from `from` (any when `nil`) to `to` (any when `nil`).
    case statusChanged(from: SimStatus?, to: SimStatus?)
    /// A payment for the SIM's subscription failed.
    case paymentFailed
    /// The SIM's paid period (and any grace) ran out: the `payment` hold was placed.
    case entitlementLapsed
    /// A LIVE SIM passed no data for `hours` hours (checked by a periodic scan).
    case noData(hours: Int)
    /// A data session opened on one of `rats` (any when empty) on one of `networks`
    /// (MCC-MNC; any when empty).
    case sessionOpened(rats: Set<String>, networks: Set<String>)

    /// The wire name of the trigger's type.
    public var typeName: String {
        switch self {
        case .usageOver: "usage_over"
        case .bundleUsed: "bundle_used"
        case .countryNotIn: "country_not_in"
        case .countryChanged: "country_changed"
        case .firstUse: "first_use"
        case .deviceChanged: "device_changed"
        case .statusChanged: "status_changed"
        case .paymentFailed: "payment_failed"
        case .entitlementLapsed: "entitlement_lapsed"
        case .noData: "no_data"
        case .sessionOpened: "session_opened"
        }
    }

    /// Every trigger type's wire name.
    public static let typeNames = [
        "usage_over", "bundle_used", "country_not_in", "country_changed", "first_use", "device_changed", "status_changed",
        "payment_failed", "entitlement_lapsed", "no_data", "session_opened",
    ]

    /// Whether the trigger watches usage as it is recorded (rather than events).
    public var watchesUsage: Bool {
        switch self {
        case .usageOver, .bundleUsed: true
        default: false
        }
    }

    /// Largest usage limit: a signed 64-bit byte count, as stored.
    public static let maximumLimitBytes = UInt64(Int64.max)
    /// Longest no-data period, in hours (a year).
    public static let maximumNoDataHours = 8_784
}
