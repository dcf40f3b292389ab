import Foundation
import SimGateCore
import SimGateStore

/// The overview's costlier figures for an account (or, for the operator, every account),
/// worked out together and kept for a while by ``FleetFiguresCache``.
struct FleetFigures: Sendable {
    /// When they were worked out.
    let asOf: Date
    /// Bytes used today and this month (UTC).
    let usageToday: UInt64, usageMonth: UInt64
    /// Bytes per day of this month.
    let days: [DashboardChart.Bar]
    /// Bytes per serving country this month, most first.
    let countries: [DashboardChart.Bar]
    /// SIMs holding a hold of each cause.
    let holds: [(cause: String, sims: Int)]
    /// SIMs with a tenth or less of their bundle left, and how many there are.
    let bundlesNearEnd: (sims: [FleetOverviewSim], count: Int)
    /// Rules that fired today, with on how many SIMs.
    let rulesFired: [(rule: RuleID, name: String, sims: Int)]
    /// This month's statement so far (an account's only): totals per currency and savings by hold cause.
    let costs: (totals: [StatementTotal], savings: [StatementSaving])?

    /// Works the figures out for `account` (`nil`: every account) as of `now`.
    static func compute(account: AccountID?, now: Date, store: Store, statements: StatementService) async throws -> FleetFigures {
        let month = BillingMonth(containing: now)
        let today = RFC3339.string(from: now).prefix(10).description
        let scope: UsageTotalsQuery.Scope = account.map { .account($0) } ?? .everyone
        let startOfToday = Calendar.utc.startOfDay(for: now)
        let (byDay, byCountry, holds, bundles, fired, rules) = try await store.read { tx in
            let days = month.dayKeys
            return (
                try await tx.usage.totals(UsageTotalsQuery(scope: scope, months: false, from: days.first!, to: days.last!)),
                try await tx.usage.totals(UsageTotalsQuery(scope: scope, months: true, from: month.description, to: month.description, byCountry: true)),
                try await tx.fleetOverview.holdsByCause(accountID: account),
                try await tx.fleetOverview.bundlesNearEnd(accountID: account, percentLeft: 10, limit: 10),
                try await tx.fleetOverview.rulesFired(accountID: account, since: startOfToday),
                try await tx.rules.list(accountID: account, PageRequest(limit: PageRequest.maximumLimit)).items
            )
        }
        var perDay: [String: UInt64] = [:]
        for total in byDay { perDay[total.period] = DashboardSimPage.sum([total]) }
        let costs: (totals: [StatementTotal], savings: [StatementSaving])?
        if let account, let (statement, _) = try? await statements.compute(account, month: month, asOf: now) {
            costs = (statement.totals, statement.savings)
        } else {
            costs = nil
        }
        return FleetFigures(
            asOf: now, usageToday: perDay[today] ?? 0, usageMonth: DashboardSimPage.sum(byDay),
            days: month.dayKeys.map { DashboardChart.Bar(label: String($0.suffix(2)), value: perDay[$0] ?? 0) },
            countries: byCountry.map { DashboardChart.Bar(label: $0.country ?? "unknown", value: DashboardSimPage.sum([$0])) }.sorted { $0.value > $1.value },
            holds: holds.sorted { $0.key < $1.key }.map { (cause: Self.name(ofCause: $0.key, rules: rules), sims: $0.value) },
            bundlesNearEnd: bundles, rulesFired: fired, costs: costs
        )
    }

    /// A hold cause as people read it: a rule's hold by the rule's name.
    private static func name(ofCause cause: String, rules: [StoredRule]) -> String {
        guard cause.hasPrefix("rule:"), let rule = rules.first(where: { "rule:" + $0.id.rawValue == cause }) else { return cause }
        return "rule “\(rule.name)”"
    }
}
