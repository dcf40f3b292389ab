import Foundation
import SimGateCore
import SimGateStore

/// Rules: creating, changing, deleting, reading, and testing one against a SIM's history.
struct RuleService: Sendable {
    /// Where rules are kept.
    let store: Store
    /// The time written on changes.
    let clock: any WallClock
    /// Names rules and events.
    let ids: IdentifierGenerator
    /// The usage path's rules, dropped when a rule changes here.
    let usageRules: UsageRuleCache

    /// A new rule for `accountID`.
    func create(_ request: RuleRequest, accountID: AccountID, cause: ChangeCause) async throws -> Rule {
        guard let name = request.name, let trigger = request.trigger, let actions = request.actions else {
            throw APIError.invalid("parameter_missing", "A rule needs name, trigger and actions.")
        }
        let now = clock.now()
        let rule = Rule(
            id: ids.make(), accountID: accountID, name: name, enabled: request.enabled ?? true, scope: request.scope ?? .allSims,
            trigger: trigger, conditions: request.conditions ?? RuleConditions(), actions: actions, rearm: request.rearm ?? .immediately,
            createdAt: now, updatedAt: now
        )
        defer { usageRules.invalidate() }
        return try await store.transaction { tx in
            guard try await tx.accounts.find(accountID) != nil else { throw DomainError.notFound("account", param: "account") }
            guard try await tx.rules.count(accountID: accountID) < Rule.maximumPerAccount else {
                throw DomainError(.conflict, code: "too_many_rules", message: "An account has at most \(Rule.maximumPerAccount) rules.")
            }
            try await checkReferences(rule, in: tx)
            try await tx.rules.insert(try rule.stored)
            try await tx.events.append([try event(.ruleCreated, rule, cause: cause, at: now)])
            return rule
        }
    }

    /// Replaces the parts `request` gives.
    func update(_ id: RuleID, _ request: RuleRequest, visibleAccountID: AccountID?, cause: ChangeCause) async throws -> Rule {
        if request.account != nil { throw APIError.invalid("immutable_parameter", "A rule's account cannot change.", param: "account") }
        // After the commit: a batch reading rules meanwhile must not keep the old ones.
        defer { usageRules.invalidate() }
        return try await store.transaction { tx in
            let previous = try await load(id, visibleAccountID: visibleAccountID, in: tx)
            var rule = previous
            if let name = request.name { rule.name = name }
            if let enabled = request.enabled { rule.enabled = enabled }
            if let scope = request.scope { rule.scope = scope }
            if let trigger = request.trigger { rule.trigger = trigger }
            if let conditions = request.conditions { rule.conditions = conditions }
            if let actions = request.actions { rule.actions = actions }
            if let rearm = request.rearm { rule.rearm = rearm }
            guard rule != previous else { return previous }
            rule.updatedAt = clock.now()
            // Only what the request gives: a rule whose endpoint was deleted since, or whose
            // listed SIM changed hands, could not be turned off or renamed.
            try await checkReferences(rule, actions: request.actions != nil, scope: request.scope != nil, in: tx)
            try await tx.rules.save(try rule.stored)
            try await tx.events.append([try event(.ruleUpdated, rule, cause: cause, at: rule.updatedAt)])
            return rule
        }
    }

    /// Deletes a rule. Holds it placed stay until lifted (by the customer's forced activation);
    /// its delayed actions find it gone and do nothing.
    func delete(_ id: RuleID, visibleAccountID: AccountID?, cause: ChangeCause) async throws -> Rule {
        defer { usageRules.invalidate() }
        return try await store.transaction { tx in
            let rule = try await load(id, visibleAccountID: visibleAccountID, in: tx)
            try await tx.rules.delete(rule.id)
            try await tx.events.append([try event(.ruleDeleted, rule, cause: cause, at: clock.now())])
            return rule
        }
    }

    /// The rule, if the caller may see it.
    func find(_ id: RuleID, visibleAccountID: AccountID?) async throws -> Rule {
        try await store.read { tx in try await load(id, visibleAccountID: visibleAccountID, in: tx) }
    }

    /// One page of the rules the caller may see.
    func list(visibleAccountID: AccountID?, _ page: PageRequest) async throws -> Page<Rule> {
        try await store.read { tx in
            let stored = try await tx.rules.list(accountID: visibleAccountID, page)
            return Page(items: try stored.items.map(Rule.init(stored:)), hasMore: stored.hasMore)
        }
    }

    /// The rule `id` names, or with `id` `nil` the draft in `request`, for `test`.
    func ruleToTest(_ id: RuleID?, _ request: RuleRequest, accountID: AccountID, visibleAccountID: AccountID?) async throws -> Rule {
        if let id { return try await find(id, visibleAccountID: visibleAccountID) }
        // Each missing field named, as creating a rule names it.
        guard let trigger = request.trigger else {
            throw APIError.invalid("parameter_missing", "'trigger' is required: a draft needs a trigger and actions.", param: "trigger")
        }
        guard let actions = request.actions else {
            throw APIError.invalid("parameter_missing", "'actions' is required: a draft needs a trigger and at least one action.", param: "actions")
        }
        let now = clock.now()
        let draft = Rule(
            id: RuleID(trusted: "rule_draft"), accountID: accountID, name: request.name ?? "draft", enabled: true, scope: request.scope ?? .allSims,
            trigger: trigger, conditions: request.conditions ?? RuleConditions(), actions: actions, rearm: request.rearm ?? .immediately,
            createdAt: now, updatedAt: now
        )
        // Checked as a rule to be created is: a draft naming another account's SIM or endpoint
        // is refused, not tested as if it could be stored.
        try await store.read { try await checkReferences(draft, in: $0) }
        return draft
    }

    private func load(_ id: RuleID, visibleAccountID: AccountID?, in tx: StoreTransaction) async throws -> Rule {
        guard let stored = try await tx.rules.find(id, accountID: visibleAccountID) else { throw DomainError.notFound("rule") }
        return try Rule(stored: stored)
    }

    /// Refuses a webhook action whose endpoint, or a scope whose SIM, is not the rule's account's
    /// (the actions only when `actions`, the scope only when `scope`).
    private func checkReferences(_ rule: Rule, actions: Bool = true, scope: Bool = true, in tx: StoreTransaction) async throws {
        for (index, action) in rule.actions.enumerated() where actions {
            guard case .webhook(let endpoint) = action.kind else { continue }
            guard try await tx.webhooks.find(endpoint, accountID: rule.accountID) != nil else {
                throw DomainError(.invalid, code: "invalid_endpoint", message: "The rule's account has no webhook endpoint \(endpoint).", param: "actions[\(index)].endpoint")
            }
        }
        if scope, case .sims(let ids) = rule.scope {
            let found = try await tx.sims.find(ids: ids.sorted(), accountID: rule.accountID, forUpdate: false)
            if let missing = ids.sorted().first(where: { found[$0] == nil }) {
                throw DomainError(.invalid, code: "invalid_sim", message: "The rule's account has no SIM \(missing).", param: "scope.sims")
            }
        }
    }

    private func event(_ type: EventType, _ rule: Rule, cause: ChangeCause, at time: Date) throws -> Event {
        try EventFactory(ids: ids).event(type, accountID: rule.accountID, object: RuleResource(rule), cause: cause, at: time)
    }
}
