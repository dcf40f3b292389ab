import SimGateCore

/// Enabled rules by account, asked which of them could fire for a SIM (scope and conditions)
/// before anything more is read or decoded about it.
///
/// Usage and accounting ask it for every SIM of every batch, against every rule of the SIM's
/// account, and most answers are "none": rules are read here in place, and only those that
/// apply are copied out. When each of 100 rules was copied for each of a batch's SIMs, only to
/// be dropped (and each watched event's JSON was read before asking), `bench automation`'s
/// ratio was 0.88-0.89; without both, 0.91-0.95.
struct AccountRules: Sendable {
    private let byAccount: [AccountID: [Rule]]

    /// The enabled ones of `rules`, grouped by account.
    init(_ rules: [Rule]) {
        byAccount = Dictionary(grouping: rules.lazy.filter(\.enabled), by: \.accountID)
    }

    /// Whether there are no enabled rules at all.
    var isEmpty: Bool { byAccount.isEmpty }

    /// Whether `account` has any enabled rule here.
    func covers(_ account: AccountID?) -> Bool {
        account.map { byAccount[$0] != nil } ?? false
    }

    /// The rules of `sim`'s account whose scope contains it and whose conditions hold for it,
    /// of those whose trigger `trigger` accepts.
    func applicable(to sim: RuleSubject, trigger: (RuleTrigger) -> Bool = { _ in true }) -> [Rule] {
        guard let accountID = sim.accountID, let rules = byAccount[accountID] else { return [] }
        var found: [Rule] = []
        for index in rules.indices where Self.applies(rules, index, to: sim, trigger: trigger) {
            found.append(rules[index])
        }
        return found
    }

    /// Whether any rule of `sim`'s account whose trigger `trigger` accepts applies to it.
    func anyApplies(to sim: RuleSubject, trigger: (RuleTrigger) -> Bool) -> Bool {
        guard let accountID = sim.accountID, let rules = byAccount[accountID] else { return false }
        return rules.indices.contains { Self.applies(rules, $0, to: sim, trigger: trigger) }
    }

    /// Reads the rule at `index` where it is stored, without copying it out.
    private static func applies(_ rules: [Rule], _ index: Int, to sim: RuleSubject, trigger: (RuleTrigger) -> Bool) -> Bool {
        trigger(rules[index].trigger) && rules[index].scope.contains(sim) && rules[index].conditions.hold(for: sim)
    }
}
