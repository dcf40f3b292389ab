import Foundation
import SimGateCore
import SimGateStore

/// The template values of the rule pages: the list, and one rule with its edit form, the SIMs
/// it last fired for and a dry run's outcome. Rules and endpoints are read through their
/// services (the same visibility as the API); only when rules last fired is read from the
/// store, which no service answers.
struct DashboardRuleContent: Sendable {
    /// Reads rules.
    let rules: RuleService
    /// Reads the endpoints a webhook action may go to.
    let endpoints: WebhookEndpointService
    /// Reads when rules fired.
    let store: Store

    /// Rules on a page of the list.
    static let pageSize = 50
    /// SIMs listed under "last fired" on a rule's page.
    static let firingsShown = 10

    /// The list of rules the signed-in key may see, 50 a page after `after`, with a form for a
    /// new rule (`form`, as typed when it was refused).
    func list(for signedIn: SignedIn, after: RuleID?, form: DashboardRuleForm = .blank, problem: DashboardRuleFormProblem? = nil) async throws -> [String: Any] {
        let principal = signedIn.principal
        let page = try await rules.list(visibleAccountID: principal.visibleAccountID, PageRequest(limit: Self.pageSize, startingAfter: after?.rawValue))
        let fired = try await store.read { tx in try await tx.rules.lastFiredAt(rules: page.items.map(\.id)) }
        let rows = page.items.map { rule -> [String: Any] in
            let summary = DashboardRuleSummary(rule: rule)
            var row: [String: Any] = [
                "id": rule.id.rawValue, "name": rule.name, "enabled": rule.enabled, "trigger": summary.trigger, "scope": summary.scope,
                "actions": summary.actions.joined(separator: "; "), "account": rule.accountID.rawValue,
            ]
            if let last = fired[rule.id] { row["lastFired"] = DashboardFormat.time(last) }
            return row
        }
        var content = try await formContent(for: signedIn, form: form, problem: problem, action: "/rules", creating: true)
        content["rules"] = rows
        content["hasRules"] = !rows.isEmpty
        if page.hasMore, let last = page.items.last { content["next"] = "/rules?after=\(last.id.rawValue)" }
        return content
    }

    /// The page of `rule`: what it does in words, when it fired, its edit form (with `form` and
    /// `problem` when an edit was refused), and the dry run's `test` outcome or `testProblem`.
    func page(
        _ rule: Rule, for signedIn: SignedIn, form: DashboardRuleForm? = nil, problem: DashboardRuleFormProblem? = nil,
        test: RuleTestResource? = nil, testSim: String? = nil, testProblem: String? = nil
    ) async throws -> [String: Any] {
        let summary = DashboardRuleSummary(rule: rule)
        let (lastFired, firings) = try await store.read { tx in
            (try await tx.rules.lastFiredAt(rules: [rule.id])[rule.id], try await tx.rules.latestFirings(of: rule.id, limit: Self.firingsShown))
        }
        let filled = form ?? DashboardRuleForm(rule)
        var content = try await formContent(for: signedIn, form: filled, problem: problem, action: "/rules/\(rule.id.rawValue)", creating: false)
        content["rule"] = [
            "id": rule.id.rawValue, "name": rule.name, "enabled": rule.enabled, "account": rule.accountID.rawValue, "trigger": summary.trigger,
            "scope": summary.scope, "conditions": summary.conditions, "actions": summary.actions, "rearm": summary.rearm,
            "created": DashboardFormat.time(rule.createdAt), "updated": DashboardFormat.time(rule.updatedAt),
        ] as [String: Any]
        if let lastFired { content["lastFired"] = DashboardFormat.time(lastFired) }
        content["firings"] = firings.map { firing -> [String: Any] in
            [
                "sim": firing.sim.rawValue, "count": firing.count, "at": DashboardFormat.time(firing.lastFiredAt),
                "rearms": firing.rearmsAt.map(DashboardFormat.time) ?? "never",
            ]
        }
        content["hasFirings"] = !firings.isEmpty
        if form == nil, !filled.showsExactly(rule) { content["formIsApproximate"] = true }
        content["testSim"] = testSim ?? ""
        if let testProblem { content["testProblem"] = testProblem }
        if let test { content["test"] = Self.outcome(test, actions: summary.actions) }
        return content
    }

    /// The page for a new rule alone: the form (`form`, as typed when it was refused).
    func newRule(for signedIn: SignedIn, form: DashboardRuleForm = .blank, problem: DashboardRuleFormProblem? = nil) async throws -> [String: Any] {
        try await formContent(for: signedIn, form: form, problem: problem, action: "/rules", creating: true)
    }

    /// The form's values, the endpoints it offers, and what the page needs around it.
    private func formContent(for signedIn: SignedIn, form: DashboardRuleForm, problem: DashboardRuleFormProblem?, action: String, creating: Bool) async throws -> [String: Any] {
        let principal = signedIn.principal
        let choices = try await endpoints.list(visibleAccountID: principal.visibleAccountID, PageRequest(limit: 100)).items
        var content = form.pageValues(endpoints: choices, problem: problem)
        content["csrf"] = signedIn.session.csrfToken
        content["canEdit"] = !signedIn.readOnly
        content["formAction"] = action
        content["creating"] = creating
        content["showAccount"] = creating && principal.isOperator
        content["isOperator"] = principal.isOperator
        content["saveLabel"] = creating ? "Create rule" : "Save rule"
        return content
    }

    /// A dry run's outcome in words: how many events were looked at, and each firing that would have happened.
    static func outcome(_ test: RuleTestResource, actions: [String]) -> [String: Any] {
        let firings = test.wouldFire.map { firing -> [String: Any] in
            var row: [String: Any] = [
                "at": DashboardFormat.time(firing.at),
                "matched": firing.matched.sorted { $0.key < $1.key }.filter { !$0.value.isEmpty }.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
            ]
            row["event"] = firing.event ?? "usage now"
            return row
        }
        return [
            "sim": test.sim, "eventsExamined": test.eventsExamined, "firings": firings, "wouldFire": !firings.isEmpty,
            "count": firings.count, "actions": actions.joined(separator: "; "),
        ]
    }
}
