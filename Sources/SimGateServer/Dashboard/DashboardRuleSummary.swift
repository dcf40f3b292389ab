import Foundation
import SimGateCore

/// A rule told in words, for the rule list and the rule page: what sets it off, which SIMs it
/// watches, what else must hold, what it does, and when it may fire again.
struct DashboardRuleSummary {
    /// The rule described.
    let rule: Rule

    /// `Device outside its deployment countries (roaming): not in AT, DE`.
    var trigger: String {
        let title = DashboardRuleTriggers.title(of: rule.trigger.typeName)
        switch rule.trigger {
        case .countryNotIn(let countries): return "\(title): not in \(countries.sorted().joined(separator: ", "))"
        case .usageOver(let limit, let window):
            return "\(title): \(DashboardFormat.bytes(limit)) in \(DashboardRuleForm.windowTitles[window] ?? window.rawValue)"
        case .bundleUsed(let percent): return "\(title): \(percent) %"
        case .statusChanged(let from, let to): return "\(title): \(from?.rawValue ?? "any") → \(to?.rawValue ?? "any")"
        case .noData(let hours): return "\(title): \(hours) h"
        case .sessionOpened(let rats, let networks):
            let on = rats.isEmpty ? "any technology" : rats.sorted().joined(separator: ", ")
            let at = networks.isEmpty ? "any network" : networks.sorted().joined(separator: ", ")
            return "\(title): \(on) on \(at)"
        case .countryChanged, .firstUse, .deviceChanged, .paymentFailed, .entitlementLapsed: return title
        }
    }

    /// `every SIM`, `SIMs labelled berlin`, `3 listed SIMs`.
    var scope: String {
        switch rule.scope {
        case .allSims: "every SIM"
        case .label(let label): "SIMs labelled \(label)"
        case .sims(let ids): ids.count == 1 ? "1 listed SIM" : "\(ids.count) listed SIMs"
        }
    }

    /// The conditions, or `none`.
    var conditions: String {
        guard !rule.conditions.clauses.isEmpty else { return "none" }
        let clauses = rule.conditions.clauses.map { clause -> String in
            switch clause {
            case .label(let label): "labelled \(label)"
            case .countryIn(let countries): "in \(countries.sorted().joined(separator: ", "))"
            case .statusIn(let statuses): "status \(statuses.map(\.rawValue).sorted().joined(separator: " or "))"
            case .metadataEquals(let key, let value): "metadata \(key) = \(value)"
            }
        }
        return clauses.joined(separator: rule.conditions.match == .all ? " and " : " or ")
    }

    /// Each action in words, in order.
    var actions: [String] {
        rule.actions.map { action in
            let what = switch action.kind {
            case .setOffline: "set the SIM OFFLINE"
            case .liftHold: "lift the rule's hold"
            case .topUp(let bytes): "top up \(DashboardFormat.bytes(bytes))"
            case .webhook(let endpoint): "send a webhook to \(endpoint.rawValue)"
            }
            return action.delaySeconds == 0 ? what : "\(what) after \(Self.duration(action.delaySeconds))"
        }
    }

    /// When the rule may fire again for a SIM.
    var rearm: String {
        switch rule.rearm {
        case .immediately: "at the next matching fact"
        case .nextDay: "from the next UTC midnight"
        case .nextMonth: "from the first of the next UTC month"
        case .after(let seconds): "after \(Self.duration(seconds))"
        case .never: "never again for that SIM"
        }
    }

    /// `90 s`, `15 min`, `48 h`, `7 d`: in the largest unit that divides it.
    static func duration(_ seconds: Int64) -> String {
        let (amount, unit) = DashboardRuleForm.inLargestUnit(seconds, [("s", 1), ("min", 60), ("h", 3_600), ("d", 86_400)])
        return "\(amount) \(unit)"
    }
}
