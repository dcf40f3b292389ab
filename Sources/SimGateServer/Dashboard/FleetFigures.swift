import Foundation
import Logging
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
    /// Why the usage figures are not shown, when a sum of them passes the largest byte count.
    let usageProblem: String?
    /// Why the cost so far is not shown, when the statement could not be worked out.
    let costsProblem: String?

    /// Works the figures out for `account` (`nil`: every account) as of `now`.
    static func compute(account: AccountID?, now: Date, store: Store, statements: StatementService) async throws -> FleetFigures {
        let month = BillingMonth(containing: now)
        let today = RFC3339.string(from: now).prefix(10).description
        let scope: UsageTotalsQuery.Scope = account.map { .account($0) } ?? .everyone
        let startOfToday = Calendar.utc.startOfDay(for: now)
        let (usage, holds, bundles, fired, rules) = try await store.read { tx in
            let days = month.dayKeys
            return (
                try await Self.usage(in: tx, scope: scope, days: days, month: month),
                try await tx.fleetOverview.holdsByCause(accountID: account),
                try await tx.fleetOverview.bundlesNearEnd(accountID: account, percentLeft: 10, limit: 10),
                try await tx.fleetOverview.rulesFired(accountID: account, since: startOfToday),
                try await tx.rules.list(accountID: account, PageRequest(limit: PageRequest.maximumLimit)).items
            )
        }
        let (byDay, byCountry) = usage.totals ?? ([], [])
        var perDay: [String: UInt64] = [:]
        for total in byDay { perDay[total.period] = DashboardSimPage.sum([total]) }
        var costs: (totals: [StatementTotal], savings: [StatementSaving])?
        var costsProblem: String?
        if let account {
            // One account's statement failing must not hide the rest of the overview.
            do {
                let (statement, _) = try await statements.compute(account, month: month, asOf: now)
                costs = (statement.totals, statement.savings)
            } catch let error as DomainError {
                costsProblem = error.message
            } catch let tooLarge as UsageTotalTooLarge {
                costsProblem = "The usage of \(tooLarge.period) adds up to more than 9,223,372,036,854,775,807 bytes."
            } catch {
                Logger(label: "simgate.dashboard").error("Could not work out the overview's cost so far", metadata: ["account": "\(account)", "error": "\(String(reflecting: error))"])
                costsProblem = "The statement could not be worked out; the server's log says why."
            }
        }
        return FleetFigures(
            asOf: now, usageToday: perDay[today] ?? 0, usageMonth: DashboardSimPage.sum(byDay),
            days: month.dayKeys.map { DashboardChart.Bar(label: String($0.suffix(2)), value: perDay[$0] ?? 0) },
            countries: byCountry.map { DashboardChart.Bar(label: $0.country ?? "unknown", value: DashboardSimPage.sum([$0])) }.sorted { $0.value > $1.value },
            holds: holds.sorted { $0.key < $1.key }.map { (cause: Self.name(ofCause: $0.key, rules: rules), sims: $0.value) },
            bundlesNearEnd: bundles, rulesFired: fired, costs: costs, usageProblem: usage.problem, costsProblem: costsProblem
        )
    }

    /// This month's totals by day and by country, or why they cannot be shown: one customer's
    /// absurd usage must not take every other figure of the operator's overview with it.
    private static func usage(
        in tx: StoreTransaction, scope: UsageTotalsQuery.Scope, days: [String], month: BillingMonth
    ) async throws -> (totals: (byDay: [UsageTotal], byCountry: [UsageTotal])?, problem: String?) {
        do {
            return ((
                try await tx.usage.totals(UsageTotalsQuery(scope: scope, months: false, from: days.first!, to: days.last!)),
                try await tx.usage.totals(UsageTotalsQuery(scope: scope, months: true, from: month.description, to: month.description, byCountry: true))
            ), nil)
        } catch let tooLarge as UsageTotalTooLarge {
            return (nil, "The usage of \(tooLarge.period) adds up to more than 9,223,372,036,854,775,807 bytes, too much to show as one figure; the API gives it by country and by SIM.")
        }
    }

    /// A hold cause as people read it: a rule's hold by the rule's name.
    private static func name(ofCause cause: String, rules: [StoredRule]) -> String {
        guard cause.hasPrefix("rule:"), let rule = rules.first(where: { "rule:" + $0.id.rawValue == cause }) else { return cause }
        return "rule “\(rule.name)”"
    }
}
