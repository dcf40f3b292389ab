import Foundation
import SimGateCore

extension DashboardRuleForm {
    /// The form filled with a stored rule, to edit it.
    init(_ rule: Rule) {
        var text: [String: String] = [
            "name": rule.name, "trigger": rule.trigger.typeName, "limit_unit": "MB", "window": "day", "scope": "all", "match": rule.conditions.match.rawValue,
            "rearm": rule.rearm.typeName, "rearm_after_unit": "hours", "top_up_unit": "MB",
        ]
        var ticked: [String: [String]] = [:]
        if rule.enabled { text["enabled"] = "on" }
        switch rule.trigger {
        case .countryNotIn(let countries): text["countries"] = countries.sorted().joined(separator: ", ")
        case .usageOver(let limit, let window):
            (text["limit"], text["limit_unit"]) = Self.inLargestUnit(Int64(clamping: limit), Self.byteUnits.map { ($0.name, $0.bytes) })
            text["window"] = window.rawValue
        case .bundleUsed(let percent): text["percent"] = String(percent)
        case .statusChanged(let from, let to):
            text["status_from"] = from?.rawValue
            text["status_to"] = to?.rawValue
        case .noData(let hours): text["hours"] = String(hours)
        case .sessionOpened(let rats, let networks):
            text["rats"] = rats.sorted().joined(separator: ", ")
            text["networks"] = networks.sorted().joined(separator: ", ")
        case .countryChanged, .firstUse, .deviceChanged, .paymentFailed, .entitlementLapsed: break
        }
        switch rule.scope {
        case .allSims: break
        case .label(let label): (text["scope"], text["scope_label"]) = ("label", label)
        case .sims(let ids): (text["scope"], text["scope_sims"]) = ("sims", ids.map(\.rawValue).sorted().joined(separator: ", "))
        }
        var labels: [String] = [], countries: Set<String> = [], statuses: Set<String> = [], metadata: [String] = []
        for clause in rule.conditions.clauses {
            switch clause {
            case .label(let label): labels.append(label)
            case .countryIn(let codes): countries.formUnion(codes)
            case .statusIn(let set): statuses.formUnion(set.map(\.rawValue))
            case .metadataEquals(let key, let value): metadata.append("\(key)=\(value)")
            }
        }
        if !labels.isEmpty { text["condition_labels"] = labels.joined(separator: ", ") }
        if !countries.isEmpty { text["condition_countries"] = countries.sorted().joined(separator: ", ") }
        if !metadata.isEmpty { text["condition_metadata"] = metadata.joined(separator: "\n") }
        ticked["condition_statuses"] = statuses.sorted()
        let times = Self.timeUnits.map { ($0.name, $0.seconds) }
        func delay(_ action: RuleAction, _ field: String) {
            guard text[field] == nil, action.delaySeconds > 0 else { return }
            (text[field], text[field + "_unit"]) = Self.inLargestUnit(action.delaySeconds, times)
        }
        for action in rule.actions {
            switch action.kind {
            case .setOffline: text["action_suspend"] = "on"; delay(action, "suspend_delay")
            case .liftHold: text["action_lift_hold"] = "on"; delay(action, "lift_hold_delay")
            case .topUp(let bytes):
                if text["top_up"] == nil {
                    (text["top_up"], text["top_up_unit"]) = Self.inLargestUnit(Int64(clamping: bytes), Self.byteUnits.map { ($0.name, $0.bytes) })
                }
                delay(action, "top_up_delay")
            case .webhook(let endpoint):
                ticked["action_webhook", default: []].append(endpoint.rawValue)
                delay(action, "webhook_delay")
            }
        }
        if case .after(let seconds) = rule.rearm { (text["rearm_after"], text["rearm_after_unit"]) = Self.inLargestUnit(seconds, times) }
        self.init(text: text, ticked: ticked)
    }

    /// Whether saving this form (filled from `rule`) would keep `rule` as it is. A rule written
    /// through the API can say more than the form shows (two country conditions, two holds
    /// with different delays, actions in another order); the page then warns before saving.
    func showsExactly(_ rule: Rule) -> Bool {
        guard let read = try? request(includingAccount: false) else { return false }
        func sameItems<T: Equatable>(_ left: [T], _ right: [T]) -> Bool {
            left.count == right.count && left.allSatisfy { item in left.filter { $0 == item }.count == right.filter { $0 == item }.count }
        }
        return read.trigger == rule.trigger && read.scope == rule.scope && read.rearm == rule.rearm
            && read.conditions?.match == rule.conditions.match && sameItems(read.conditions?.clauses ?? [], rule.conditions.clauses)
            && read.actions == rule.actions
    }

    /// `amount` in the largest of `units` that divides it evenly: 1048576 bytes is `1 MB`.
    static func inLargestUnit(_ amount: Int64, _ units: [(String, Int64)]) -> (String, String) {
        let unit = units.last { amount % $0.1 == 0 && amount >= $0.1 } ?? units[0]
        return (String(amount / unit.1), unit.0)
    }
}
