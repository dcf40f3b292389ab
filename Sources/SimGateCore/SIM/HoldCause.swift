/// Who placed a hold. Each cause owns its hold and lifts only its own.
public enum HoldCause: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Suspended by the customer through the API or the dashboard.
    case manual
    /// Suspended by the operator (a fraud lock, say); only the operator lifts it.
    case `operator`
    /// The paid period has lapsed.
    case payment
    /// An automation rule, by rule id.
    case rule(String)
    /// The data bundle is used up.
    case bundle
    /// The device (IMEI) lock was broken.
    case device

    /// The stored and wire form: `manual`, `payment`, `rule:<id>`, `bundle`, `device`.
    public var description: String {
        switch self {
        case .manual: "manual"
        case .operator: "operator"
        case .payment: "payment"
        case .rule(let id): "rule:\(id)"
        case .bundle: "bundle"
        case .device: "device"
        }
    }

    /// Reads the stored or wire form; `nil` for anything else.
    public init?(_ text: String) {
        switch text {
        case "manual": self = .manual
        case "operator": self = .operator
        case "payment": self = .payment
        case "bundle": self = .bundle
        case "device": self = .device
        default:
            guard text.hasPrefix("rule:"), text.count > 5 else { return nil }
            self = .rule(String(text.dropFirst(5)))
        }
    }

    public static func < (lhs: HoldCause, rhs: HoldCause) -> Bool { lhs.description < rhs.description }
}
