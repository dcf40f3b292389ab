import Foundation
import Hummingbird
import SimGateCore
import SimGateStore

/// The dashboard's rule pages: the list, a form that creates or edits a rule (the same
/// ``RuleRequest`` the API reads, so the same rules are accepted and refused), deleting, and
/// a dry run against a SIM (``RuleTester``, as `POST /v1/rules/{id}/test`). A refused form
/// comes back with status 422, its message on the field, and everything as typed.
struct DashboardRulesSection: DashboardSection {
    /// Creates, changes, deletes and reads rules.
    let rules: RuleService
    /// Runs dry runs.
    let tester: RuleTester
    /// Builds the pages' values.
    let content: DashboardRuleContent

    /// A section over the app's services; `store` is only read (when rules fired).
    init(rules: RuleService, tester: RuleTester, endpoints: WebhookEndpointService, store: Store) {
        self.rules = rules
        self.tester = tester
        content = DashboardRuleContent(rules: rules, endpoints: endpoints, store: store)
    }

    /// Registers the rule pages: the list, new, one rule, and its edit, delete and dry-run forms.
    func addRoutes(to routes: DashboardRoutes) {
        let pages = routes.pages
        routes.page("rules") { request, signedIn in
            let parameters = request.firstQueryValues
            var values = try await content.list(for: signedIn, after: parameters["after"].flatMap(RuleID.init(parsing:)))
            values["notice"] = DashboardNotice.text(parameters["notice"])
            return pages.page("rules", values, frame: signedIn.frame("Rules", current: "rules"))
        }
        routes.page("rules/new") { _, signedIn in
            let values = try await content.newRule(for: signedIn)
            return pages.page("rule-new", values, frame: signedIn.frame("New rule", current: "rules"))
        }
        routes.form("rules") { _, signedIn, form in
            let typed = DashboardRuleForm(form)
            let principal = signedIn.principal
            let (_, actionFields) = typed.body(includingAccount: true)
            do {
                let request = try typed.request(includingAccount: true)
                let accountID = try principal.resolveAccount(request.account, param: "account")
                let rule = try await rules.create(request, accountID: accountID, cause: principal.cause(reason: nil))
                return DashboardNotice.redirect(to: "/rules/\(rule.id.rawValue)", notice: "rule-created")
            } catch {
                guard let problem = DashboardRuleFormProblem(error, actionFields: actionFields) else { throw error }
                let values = try await content.newRule(for: signedIn, form: typed, problem: problem)
                return pages.page("rule-new", values, frame: signedIn.frame("New rule", current: "rules"), status: .unprocessableContent)
            }
        }
        routes.page("rules/{id}") { request, signedIn in
            let rule = try await find(signedIn)
            var values = try await content.page(rule, for: signedIn)
            values["notice"] = DashboardNotice.text(request.firstQueryValues["notice"])
            return pages.page("rule", values, frame: signedIn.frame(rule.name, current: "rules"))
        }
        routes.form("rules/{id}") { request, signedIn, form in
            let rule = try await find(signedIn)
            let typed = DashboardRuleForm(form)
            let (_, actionFields) = typed.body(includingAccount: false)
            let principal = signedIn.principal
            do {
                let saved = try await rules.update(rule.id, try typed.request(includingAccount: false), visibleAccountID: principal.visibleAccountID, cause: principal.cause(reason: nil))
                return DashboardNotice.redirect(to: "/rules/\(saved.id.rawValue)", notice: "rule-saved")
            } catch {
                guard let problem = DashboardRuleFormProblem(error, actionFields: actionFields) else { throw error }
                let values = try await content.page(rule, for: signedIn, form: typed, problem: problem)
                return pages.page("rule", values, frame: signedIn.frame(rule.name, current: "rules"), status: .unprocessableContent)
            }
        }
        routes.form("rules/{id}/delete") { request, signedIn, _ in
            let principal = signedIn.principal
            _ = try await rules.delete(try signedIn.pathID("id", "rule") as RuleID, visibleAccountID: principal.visibleAccountID, cause: principal.cause(reason: nil))
            return DashboardNotice.redirect(to: "/rules", notice: "rule-deleted")
        }
        routes.form("rules/{id}/test", reads: true) { request, signedIn, form in
            let rule = try await find(signedIn)
            let typed = form["sim"] ?? ""
            do {
                let body = try RuleRequest(.object(["sim": .string(typed.trimmingCharacters(in: .whitespaces))]), partial: true, forTest: true)
                guard let sim = body.sim else { throw APIError.invalid("parameter_missing", "'sim' is required: the SIM to test against.", param: "sim") }
                let outcome = try await tester.test(rule, sim: sim, isDraft: false)
                let values = try await content.page(rule, for: signedIn, test: outcome, testSim: typed)
                return pages.page("rule", values, frame: signedIn.frame(rule.name, current: "rules"))
            } catch {
                guard let problem = DashboardRuleFormProblem(error, actionFields: []) else { throw error }
                let values = try await content.page(rule, for: signedIn, testSim: typed, testProblem: problem.message)
                return pages.page("rule", values, frame: signedIn.frame(rule.name, current: "rules"), status: .unprocessableContent)
            }
        }
    }

    /// The rule the path names, if the signed-in key may see it (else a 404, as the API answers).
    private func find(_ signedIn: SignedIn) async throws -> Rule {
        try await rules.find(try signedIn.pathID("id", "rule") as RuleID, visibleAccountID: signedIn.principal.visibleAccountID)
    }
}
