import Foundation
import SimGateCore

extension DashboardRuleForm {
    /// The template values that fill the form: every typed value, each drop-down's options
    /// with the chosen one marked, the endpoints a webhook action may go to, and `problem`
    /// marked on its field.
    func pageValues(endpoints: [WebhookEndpoint], problem: DashboardRuleFormProblem?) -> [String: Any] {
        var values: [String: Any] = [:]
        for name in Self.textFields { values["v_" + name] = text[name] ?? "" }
        for name in ["enabled", "action_suspend", "action_lift_hold"] { values["checked_" + name] = isTicked(name) }
        let trigger = value("trigger")
        values["triggerOptions"] = DashboardRuleTriggers.choices.map { choice -> [String: Any] in
            ["value": choice.type, "title": choice.title, "explanation": choice.explanation, "selected": choice.type == trigger]
        }
        values["windowOptions"] = Self.options(UsageWindow.allCases.map { ($0.rawValue, Self.windowTitles[$0] ?? $0.rawValue) }, chosen: value("window"))
        let statuses = SimStatus.allCases.map { ($0.rawValue, $0.rawValue) }
        values["statusFromOptions"] = Self.options([("", "any status")] + statuses, chosen: value("status_from") ?? "")
        values["statusToOptions"] = Self.options([("", "any status")] + statuses, chosen: value("status_to") ?? "")
        values["scopeOptions"] = Self.options([("all", "Every SIM of the account"), ("label", "SIMs with a label"), ("sims", "These SIMs")], chosen: value("scope"))
        values["matchOptions"] = Self.options([("all", "all of these hold"), ("any", "any of these holds")], chosen: value("match"))
        let conditionStatuses = Set(ticked["condition_statuses"] ?? [])
        values["conditionStatuses"] = SimStatus.allCases.map { ["value": $0.rawValue, "checked": conditionStatuses.contains($0.rawValue)] }
        values["rearmOptions"] = Self.options([
            ("immediately", "at the next matching fact"), ("next_day", "from the next UTC midnight"), ("next_month", "from the first of the next UTC month"),
            ("after", "after the time below"), ("never", "never again for that SIM"),
        ], chosen: value("rearm"))
        let byteUnits = Self.byteUnits.map { ($0.name, $0.name) }, timeUnits = Self.timeUnits.map { ($0.name, $0.name) }
        values["limitUnitOptions"] = Self.options(byteUnits, chosen: value("limit_unit"))
        values["topUpUnitOptions"] = Self.options(byteUnits, chosen: value("top_up_unit"))
        for field in ["suspend_delay", "lift_hold_delay", "top_up_delay", "webhook_delay", "rearm_after"] {
            values[field + "UnitOptions"] = Self.options(timeUnits, chosen: value(field + "_unit") ?? (field == "rearm_after" ? "hours" : "minutes"))
        }
        let chosenEndpoints = Set(ticked["action_webhook"] ?? [])
        let rows = endpoints.map { endpoint -> [String: Any] in
            ["id": endpoint.id.rawValue, "url": endpoint.url, "checked": chosenEndpoints.contains(endpoint.id.rawValue), "disabled": endpoint.status == .disabled]
        }
        values["endpoints"] = rows
        values["hasEndpoints"] = !rows.isEmpty
        if let problem {
            values["problem"] = problem.message
            if let field = problem.field {
                values["invalid_" + field] = true
                values["problemField"] = "rule-" + field.replacingOccurrences(of: "_", with: "-")
            }
        }
        return values
    }

    /// What each usage window is called on the form.
    static let windowTitles: [UsageWindow: String] = [
        .day: "the UTC day", .month: "the UTC month", .billingPeriod: "the billing period", .lifetime: "the SIM's whole life",
    ]

    /// A drop-down's options with the one whose value is `chosen` selected.
    static func options(_ pairs: [(value: String, title: String)], chosen: String?) -> [[String: Any]] {
        pairs.map { ["value": $0.value, "title": $0.title, "selected": $0.value == chosen] }
    }
}
