import Foundation
import Synchronization
import SimGateCore
import SimGateStore

/// Rules evaluated as usage is recorded: after a batch of usage is stored, the usage and
/// bundle triggers of the SIMs' accounts are checked against their totals, in the same unit
/// of work.
///
/// Usage comes by the thousand a second, so each account's usage rules are kept for a second
/// (and dropped at once when this instance changes a rule). A rule another instance made is
/// thus seen up to a second late, which loses nothing: usage triggers compare totals, so the
/// next usage of the SIM fires what the previous one would have.
struct UsageRuleTriggers: UsageRecordedHook {
    /// Decides and records the firings.
    let engine: RuleEngine
    /// Each account's usage rules, for a second.
    let cache: UsageRuleCache

    /// Checks the usage and bundle rules that apply to the SIMs in `records` against their totals, and fires those met.
    func usageRecorded(_ records: [UsageRecord], in tx: StoreTransaction) async throws {
        let simIDs = Set(records.map(\.simID)), accounts = Set(records.compactMap(\.accountID))
        guard !simIDs.isEmpty, !accounts.isEmpty else { return }
        let rules = try await cache.rules(of: accounts) { missing in
            try await RuleEngine.rules(of: missing, triggerTypes: ["usage_over", "bundle_used"], in: tx)
        }
        let byAccount = AccountRules(rules)
        guard !byAccount.isEmpty else { return }
        let sims = try await tx.sims.ruleSubjects(ids: simIDs.sorted()).values.filter { byAccount.covers($0.accountID) }
        guard !sims.isEmpty else { return }
        // Scope and conditions first: they cost nothing, and a SIM no usage rule applies to
        // needs no totals read.
        var applicable: [RuleSubject] = []
        var windows = Set<UsageWindow>()
        for sim in sims {
            let matching = byAccount.applicable(to: sim, trigger: \.watchesUsage)
            guard !matching.isEmpty else { continue }
            applicable.append(sim)
            for rule in matching { if case .usageOver(_, let window) = rule.trigger { windows.insert(window) } }
        }
        guard !applicable.isEmpty else { return }
        let totals = try await Self.totals(windows, of: applicable, at: engine.clock.now(), in: tx)
        let facts = applicable.map { sim in
            ObservedFact(sim: sim, fact: .usage(totals: totals[sim.id] ?? [:], bundle: sim.bundle.map { ($0.size, $0.used) }), sourceEvent: nil)
        }
        try await engine.evaluate(facts, rules: byAccount, in: tx)
    }

    /// Each SIM's usage in each of `windows` at `time`, with its current account: one query per
    /// window for all the SIMs. A SIM with no usage in a window has 0 there.
    static func totals(_ windows: Set<UsageWindow>, of sims: [RuleSubject], at time: Date, in tx: StoreTransaction) async throws -> [SimID: [UsageWindow: UInt64]] {
        let owners = Dictionary(uniqueKeysWithValues: sims.compactMap { sim in sim.accountID.map { (sim.id, $0) } })
        let periods = UsageRepository.periods(of: time)
        var bySim: [SimID: [UsageWindow: UInt64]] = [:]
        for window in windows {
            let values = switch window {
            case .day: try await tx.usage.combinedTotals(sims: owners, months: false, period: periods[0])
            case .month, .billingPeriod: try await tx.usage.combinedTotals(sims: owners, months: true, period: periods[1])
            case .lifetime: try await tx.usage.combinedTotals(sims: owners, months: true, period: nil)
            }
            for sim in owners.keys { bySim[sim, default: [:]][window] = values[sim] ?? 0 }
        }
        return bySim
    }
}

/// Each account's enabled usage rules, as read within the last second.
final class UsageRuleCache: Sendable {
    private let entries = Mutex<[AccountID: (rules: [Rule], readAt: ContinuousClock.Instant)]>([:])
    private let lifetime: Duration = .seconds(1)

    /// A cache that starts empty.
    init() {}

    /// The rules of `accounts`: those read within the last second as they were, the others by `load`.
    func rules(of accounts: Set<AccountID>, load: (Set<AccountID>) async throws -> [Rule]) async throws -> [Rule] {
        let now = ContinuousClock.now
        let (known, missing) = entries.withLock { entries -> ([Rule], Set<AccountID>) in
            var known: [Rule] = []
            var missing = Set<AccountID>()
            for account in accounts {
                if let entry = entries[account], now - entry.readAt < lifetime { known += entry.rules } else { missing.insert(account) }
            }
            return (known, missing)
        }
        guard !missing.isEmpty else { return known }
        let loaded = try await load(missing)
        let byAccount = Dictionary(grouping: loaded, by: \.accountID)
        entries.withLock { entries in
            if entries.count > 100_000 { entries.removeAll() }
            for account in missing { entries[account] = (byAccount[account] ?? [], now) }
        }
        return known + loaded
    }

    /// Forgets what is kept (this instance changed a rule).
    func invalidate() {
        entries.withLock { $0.removeAll() }
    }
}
