import Foundation
import Hummingbird
import SimGateCore
import SimGateStore

/// `/v1/rules`: automation rules, and dry runs against a SIM's history.
struct RulesController: Sendable {
    /// Creates, changes and reads rules.
    let rules: RuleService
    /// Runs dry runs.
    let tester: RuleTester
    /// Replays a POST retried with the same `Idempotency-Key`.
    let idempotency: IdempotencyLayer

    /// Registers the routes on the authenticated API group.
    func addRoutes(to group: RouterGroup<SimGateRequestContext>) {
        group.post("rules", use: idempotency.wrap(create))
        group.get("rules", use: list)
        group.post("rules/test", use: testDraft)
        group.get("rules/{id}", use: get)
        group.post("rules/{id}", use: idempotency.wrap(update))
        group.delete("rules/{id}", use: delete)
        group.post("rules/{id}/test", use: testRule)
    }

    /// `POST /v1/rules`.
    @Sendable func create(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let body = try RuleRequest(try await JSONBody.decode(JSONValue.self, from: request), partial: false)
        let accountID = try principal.resolveAccount(body.account, param: "account")
        return try APIResponse(RuleResource(try await rules.create(body, accountID: accountID, cause: principal.cause(reason: nil))), status: .created)
    }

    /// `GET /v1/rules`.
    @Sendable func list(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let query = try QueryParameters(request, allowed: [], paged: true)
        let page = try await rules.list(visibleAccountID: principal.visibleAccountID, try query.page(of: RuleKind.self))
        return try APIResponse(ListResource(url: "/v1/rules", page: page, RuleResource.init))
    }

    /// `GET /v1/rules/{id}`.
    @Sendable func get(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try QueryParameters(request, allowed: [])
        return try APIResponse(RuleResource(try await rules.find(try ruleID(context), visibleAccountID: principal.visibleAccountID)))
    }

    /// `POST /v1/rules/{id}`: the parts given replace the rule's.
    @Sendable func update(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let body = try RuleRequest(try await JSONBody.decode(JSONValue.self, from: request), partial: true)
        let rule = try await rules.update(try ruleID(context), body, visibleAccountID: principal.visibleAccountID, cause: principal.cause(reason: nil))
        return try APIResponse(RuleResource(rule))
    }

    /// `DELETE /v1/rules/{id}`.
    @Sendable func delete(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try QueryParameters(request, allowed: [])
        let rule = try await rules.delete(try ruleID(context), visibleAccountID: principal.visibleAccountID, cause: principal.cause(reason: nil))
        return try APIResponse(DeletedResource(id: rule.id.rawValue, object: "rule", deleted: true))
    }

    /// `POST /v1/rules/{id}/test` with `{"sim": ...}`: what the rule would have done.
    @Sendable func testRule(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        try await test(request, context: context, id: try ruleID(context))
    }

    /// `POST /v1/rules/test` with a draft rule and `sim`.
    @Sendable func testDraft(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        try await test(request, context: context, id: nil)
    }

    private func test(_ request: Request, context: SimGateRequestContext, id: RuleID?) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let body = try RuleRequest(try await JSONBody.decode(JSONValue.self, from: request), partial: true, forTest: true)
        guard let sim = body.sim else { throw APIError.invalid("parameter_missing", "'sim' is required: the SIM to test against.", param: "sim") }
        let accountID = try principal.resolveAccount(body.account, param: "account")
        let rule = try await rules.ruleToTest(id, body, accountID: accountID, visibleAccountID: principal.visibleAccountID)
        return try APIResponse(try await tester.test(rule, sim: sim, isDraft: id == nil))
    }

    private func ruleID(_ context: SimGateRequestContext) throws -> RuleID {
        guard let id = RuleID(parsing: try context.parameters.require("id")) else { throw DomainError.notFound("rule") }
        return id
    }
}
