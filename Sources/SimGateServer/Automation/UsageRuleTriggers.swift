import Foundation
import SimGateCore
import SimGateStore

/// Rules evaluated as usage is recorded: after a batch of usage is stored, the usage and
/// bundle triggers of the SIMs' accounts are checked against their totals, in the same unit
/// of work. A batch whose accounts have no such rule costs one indexed query.
struct UsageRuleTriggers: Sendable {
    /// Decides and records the firings.
    let engine: RuleEngine

    /// Checks the usage rules of the SIMs that `simIDs` names (those that just used data).
    func check(_ simIDs: Set<SimID>, accounts: Set<AccountID>, in tx: StoreTransaction) async throws {
        guard !simIDs.isEmpty, !accounts.isEmpty else { return }
        let rules = try await RuleEngine.rules(of: accounts, triggerTypes: ["usage_over", "bundle_used"], in: tx)
        guard !rules.isEmpty else { return }
        let accountsWithRules = Set(rules.map(\.accountID))
        let sims = try await tx.sims.find(ids: simIDs.sorted(), accountID: nil, forUpdate: false).values
            .filter { $0.accountID.map(accountsWithRules.contains) == true }
        guard !sims.isEmpty else { return }
        let owners = Dictionary(uniqueKeysWithValues: sims.compactMap { sim in sim.accountID.map { (sim.id, $0) } })
        var windows = Set<UsageWindow>()
        for rule in rules { if case .usageOver(_, let window) = rule.trigger { windows.insert(window) } }
        let now = engine.clock.now()
        let periods = UsageRepository.periods(of: now)
        var totals: [UsageWindow: [SimID: UInt64]] = [:]
        for window in windows {
            totals[window] = switch window {
            case .day: try await tx.usage.combinedTotals(sims: owners, months: false, period: periods[0])
            case .month, .billingPeriod: try await tx.usage.combinedTotals(sims: owners, months: true, period: periods[1])
            case .lifetime: try await tx.usage.combinedTotals(sims: owners, months: true, period: nil)
            }
        }
        let facts = sims.map { sim in
            var bySim: [UsageWindow: UInt64] = [:]
            for (window, values) in totals { bySim[window] = values[sim.id] ?? 0 }
            return ObservedFact(sim: sim, fact: .usage(totals: bySim, bundle: sim.bundle.map { ($0.size, $0.used) }), sourceEvent: nil)
        }
        try await engine.evaluate(facts, rules: rules, in: tx)
    }
}
