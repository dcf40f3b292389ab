import Foundation
import SimGateCore
import SimGateStore

/// What a dry run found: when the rule would have fired for the SIM, on what, and what it
/// would have done. Nothing is changed or sent.
struct RuleTestResource: Codable, Equatable, Sendable {
    /// One firing that would have happened.
    struct WouldFire: Codable, Equatable, Sendable {
        /// When it would have fired: the event's time, or now for usage.
        let at: Date
        /// The event that would have set it off; absent for usage.
        let event: String?
        /// The values the trigger would have matched.
        let matched: [String: String]
        /// Each action, `after` seconds from the firing.
        let actions: JSONValue
    }

    /// `rule_test`.
    let object: String
    /// The tested rule's `rule_...` id; absent for a draft.
    let rule: String?
    /// The `sim_...` id of the SIM tested against.
    let sim: String
    /// How many of the SIM's events were looked at (its latest 1,000).
    let eventsExamined: Int
    /// Each firing that would have happened, oldest first.
    let wouldFire: [WouldFire]

    /// The JSON field names.
    enum CodingKeys: String, CodingKey {
        case object, rule, sim
        case eventsExamined = "events_examined"
        case wouldFire = "would_fire"
    }
}

/// Dry runs: a rule (stored or draft) against one SIM's recent history.
struct RuleTester: Sendable {
    /// Where the SIM's history is read.
    let store: Store
    /// Now, for usage totals and re-arming.
    let clock: any WallClock

    /// Replays the SIM's latest 1,000 events in order through the rule's trigger, scope,
    /// conditions and re-arm policy (from a fresh state), then its usage totals as they are now.
    func test(_ rule: Rule, sim reference: SimReference, isDraft: Bool) async throws -> RuleTestResource {
        try await store.read { tx in
            let found: Sim? = switch reference {
            case .id(let id): try await tx.sims.find(id, accountID: rule.accountID, forUpdate: false)
            case .iccid(let iccid): try await tx.sims.find(iccids: [iccid], accountID: rule.accountID, forUpdate: false)[iccid]
            }
            guard let sim = found else {
                throw DomainError(.invalid, code: "resource_missing", message: "No such SIM.", param: "sim")
            }
            let events = try await tx.events.list(EventFilter(accountID: rule.accountID, simID: sim.id), PageRequest(limit: 1_000)).items.reversed()
            var state = RuleFiringState()
            var wouldFire: [RuleTestResource.WouldFire] = []
            let actions = RuleDefinition(trigger: rule.trigger, actions: rule.actions).json
            guard case .object(let parts) = actions else { preconditionFailure("a definition is an object") }
            func consider(_ fact: RuleFact, at time: Date, event: EventID?) {
                guard rule.scope.contains(sim.ruleSubject), rule.conditions.hold(for: sim.ruleSubject), let match = rule.trigger.match(fact, at: time), state.allows(match, at: time) else { return }
                state = state.firing(match, at: time, policy: rule.rearm)
                wouldFire.append(.init(at: time, event: event?.rawValue, matched: match.values, actions: parts["actions"] ?? .null))
            }
            for event in events where event.cause.actor.kind != .rule {
                if RuleEventTriggers.watchers[event.type] != nil, let fact = RuleEventTriggers.fact(from: event) {
                    consider(fact, at: event.createdAt, event: event.id)
                }
            }
            if rule.trigger.watchesUsage, sim.accountID != nil {
                let now = clock.now()
                let totals = try await UsageRuleTriggers.totals(Set(UsageWindow.allCases), of: [sim.ruleSubject], at: now, in: tx)
                consider(.usage(totals: totals[sim.id] ?? [:], bundle: sim.bundle.map { ($0.size, $0.used) }), at: now, event: nil)
            }
            return RuleTestResource(object: "rule_test", rule: isDraft ? nil : rule.id.rawValue, sim: sim.id.rawValue, eventsExamined: events.count, wouldFire: wouldFire)
        }
    }
}
