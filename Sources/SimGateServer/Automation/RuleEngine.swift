import Foundation
import SimGateCore
import SimGateStore

/// A fact about a SIM that rules are asked about, with the event that told of it.
struct ObservedFact: Sendable {
    /// What rules look at of the SIM, as it is in this unit of work.
    let sim: RuleSubject
    /// What happened.
    let fact: RuleFact
    /// The event that recorded it, when there is one (usage and idleness have none).
    let sourceEvent: EventID?
}

/// Decides, inside the unit of work that records a fact, which rules fire for which SIMs:
/// trigger, scope, conditions and re-arm. Each firing is remembered per rule and SIM at once
/// (so a fact seen twice fires once), and its actions are queued as a durable job.
struct RuleEngine: Sendable {
    /// The time firings are stamped with.
    let clock: any WallClock

    /// When each account's firings may run (see ``FiringPace``).
    let pace = FiringPace()

    /// Fires the rules of `rules` that `facts` trigger; returns how many fired. For callers
    /// with a list of rules rather than rules already grouped by account.
    @discardableResult
    func evaluate(_ facts: [ObservedFact], rules: [Rule], in tx: StoreTransaction) async throws -> Int {
        try await evaluate(facts, rules: AccountRules(rules), in: tx)
    }

    /// Fires the rules of `rules` that `facts` trigger; returns how many fired.
    @discardableResult
    func evaluate(_ facts: [ObservedFact], rules: AccountRules, in tx: StoreTransaction) async throws -> Int {
        let now = clock.now()
        var candidates: [(rule: Rule, observed: ObservedFact, match: TriggerMatch)] = []
        for observed in facts {
            for rule in rules.applicable(to: observed.sim) {
                if let match = rule.trigger.match(observed.fact, at: now) { candidates.append((rule, observed, match)) }
            }
        }
        guard !candidates.isEmpty else { return 0 }
        var states = try await tx.rules.lockedStates(Set(candidates.map { RuleStateKey(rule: $0.rule.id, sim: $0.observed.sim.id) }))
        var jobs: [NewJob] = []
        for candidate in candidates {
            let key = RuleStateKey(rule: candidate.rule.id, sim: candidate.observed.sim.id)
            let state = states[key] ?? RuleFiringState()
            guard state.allows(candidate.match, at: now) else { continue }
            let next = state.firing(candidate.match, at: now, policy: candidate.rule.rearm)
            states[key] = next
            try await tx.rules.saveState(next, for: key)
            let runAt = pace.nextRun(of: candidate.rule.accountID, now: now)
            jobs.append(try NewJob(
                RuleFireJob(rule: candidate.rule.id, sim: candidate.observed.sim.id, event: candidate.observed.sourceEvent, matched: candidate.match.values),
                runAt: runAt
            ))
        }
        try await tx.jobs.enqueue(jobs, now: now)
        return jobs.count
    }

    /// The enabled rules of `accounts` whose trigger is one of `types`, read from storage.
    static func rules(of accounts: Set<AccountID>, triggerTypes: Set<String>, in tx: StoreTransaction) async throws -> [Rule] {
        try await tx.rules.enabled(accountIDs: accounts, triggerTypes: triggerTypes).map(Rule.init(stored:))
    }
}
