import Foundation
import SimGateCore

/// A dashboard form the API's reader or a service refused for what was typed: the message, and
/// for the rule form the field it is about (the endpoint form shows the message alone).
struct DashboardRuleFormProblem {
    /// The reader's or the service's sentence, naming the JSON field (`'trigger.countries[1]' must be ...`).
    let message: String
    /// The name of the form field at fault, if one is known.
    let field: String?

    /// The problem `error` describes, if it is a refusal of what was typed (not a missing
    /// rule or a forbidden account, which stay error pages); `actionFields` says which form
    /// field each of the body's actions came from.
    init?(_ error: any Error, actionFields: [String]) {
        let message: String, param: String?
        switch error {
        case let error as APIError where error.status == .badRequest || error.status == .unprocessableContent:
            (message, param) = (error.message, error.param)
        case let error as DomainError where error.kind == .invalid:
            (message, param) = (error.message, error.param)
        case let error as DomainError where error.kind == .notFound && error.param == "account":
            (message, param) = (error.message, error.param)
        default: return nil
        }
        self.message = message
        field = param.flatMap { Self.field(for: $0, actionFields: actionFields) }
    }

    /// The form field that holds the JSON field `param`.
    static func field(for param: String, actionFields: [String]) -> String? {
        let direct: [String: String] = [
            "name": "name", "enabled": "enabled", "account": "account", "trigger.type": "trigger", "trigger.countries": "countries",
            "trigger.limit_bytes": "limit", "trigger.window": "window", "trigger.percent": "percent", "trigger.from": "status_from",
            "trigger.to": "status_to", "trigger.hours": "hours", "trigger.rats": "rats", "trigger.networks": "networks", "scope.type": "scope",
            "scope.label": "scope_label", "scope.sims": "scope_sims", "conditions.match": "match", "rearm.type": "rearm",
            "rearm.seconds": "rearm_after", "actions": "action_suspend",
        ]
        // `trigger.countries[1]` is about the field `trigger.countries`.
        let base = param.split(separator: "[", maxSplits: 1).first.map(String.init) ?? param
        if let field = direct[base] { return field }
        if param.hasPrefix("conditions.clauses") {
            if param.hasSuffix(".countries") || param.contains(".countries[") { return "condition_countries" }
            if param.hasSuffix(".statuses") || param.contains(".statuses[") { return "condition_statuses" }
            if param.hasSuffix(".key") || param.hasSuffix(".value") { return "condition_metadata" }
            return "condition_labels"
        }
        if param.hasPrefix("actions["), let close = param.firstIndex(of: "]"),
           let index = Int(param[param.index(param.startIndex, offsetBy: "actions[".count)..<close]), actionFields.indices.contains(index) {
            let field = actionFields[index]
            guard param.hasSuffix(".delay_seconds") else { return field }
            return ["action_suspend": "suspend_delay", "action_lift_hold": "lift_hold_delay", "top_up": "top_up_delay", "action_webhook": "webhook_delay"][field]
        }
        return nil
    }
}
