import Foundation
import SimGateCore
import SimGateStore

/// What the overview shows: what is happening to the fleet now and why. Counts that indexes
/// answer at once (SIMs by status, shutdowns due, failing endpoints, latest events) are read
/// on every view; the costlier figures (usage by day and country, cost so far and what
/// OFFLINE time saved, holds by cause, bundles near their end, rules fired today) come from
/// ``FleetFiguresCache``, with the time they were worked out.
struct DashboardOverview: Sendable {
    /// Where SIMs and events are.
    let store: Store
    /// Webhook endpoints, for the failing ones.
    let endpoints: WebhookEndpointService
    /// Statements, for the cost so far.
    let statements: StatementService
    /// "Now" and "today".
    let clock: any WallClock
    /// The costlier figures, per account.
    let cache: FleetFiguresCache
    /// How long a view waits for figures not yet worked out.
    let settings: DashboardSettings

    /// The overview's template values for `signedIn` (the operator sees every account).
    func content(for signedIn: SignedIn) async throws -> [String: Any] {
        let principal = signedIn.principal
        let account = principal.visibleAccountID
        let now = clock.now()
        let (counts, events, shutdowns) = try await store.read { tx in
            (
                try await tx.sims.countByStatus(accountID: account),
                try await tx.events.list(EventFilter(accountID: account), PageRequest(limit: 20)).items,
                try await tx.fleetOverview.shutdownsDue(accountID: account, from: now, to: now.addingTimeInterval(86_400), limit: 10)
            )
        }
        let failing = try await endpoints.list(visibleAccountID: account, PageRequest(limit: PageRequest.maximumLimit)).items
            .filter { $0.status == .disabled || $0.failingSince != nil }
        let figures = await cache.figures(for: account?.rawValue ?? "*", wait: settings.figuresWait) { [store, statements] in
            try await FleetFigures.compute(account: account, now: now, store: store, statements: statements)
        }
        var content: [String: Any] = [
            "accountName": principal.account.name,
            "statuses": SimStatus.allCases.map { ["status": $0.rawValue, "key": $0.rawValue.lowercased(), "count": counts[$0] ?? 0] as [String: Any] },
            "total": counts.values.reduce(0, +),
            "events": events.map { event -> [String: Any] in
                var row = DashboardSimPage.eventRow(event)
                if let sim = event.simID { row["sim"] = sim.rawValue }
                return row
            },
            "hasEvents": !events.isEmpty,
            "shutdowns": shutdowns.sims.map { ["id": $0.id.rawValue, "iccid": $0.iccid, "at": $0.shutdownAt.map(DashboardFormat.time) ?? ""] },
            "shutdownCount": shutdowns.count >= 1_000 ? "1,000 or more" : String(shutdowns.count), "hasShutdowns": shutdowns.count > 0,
            "failing": failing.map { endpoint -> [String: Any] in
                var row: [String: Any] = ["id": endpoint.id.rawValue, "url": endpoint.url, "status": endpoint.status.rawValue]
                if let since = endpoint.failingSince { row["since"] = DashboardFormat.time(since) }
                if let reason = endpoint.disabledReason { row["reason"] = reason }
                return row
            },
            "hasFailing": !failing.isEmpty,
        ]
        if let newest = events.first { content["newestEvent"] = newest.id.rawValue }
        if let figures { content["figures"] = Self.values(figures, isOperator: principal.isOperator) } else { content["figuresPending"] = true }
        return content
    }

    private static func values(_ figures: FleetFigures, isOperator: Bool) -> [String: Any] {
        var values: [String: Any] = [
            "asOf": DashboardFormat.time(figures.asOf),
            "usageToday": DashboardFormat.bytes(figures.usageToday), "usageMonth": DashboardFormat.bytes(figures.usageMonth),
            "dayChart": DashboardChart(title: "Data used each day this month", bars: figures.days).svg,
            "countries": figures.countries.prefix(10).map { ["country": $0.label, "bytes": DashboardFormat.bytes($0.value)] },
            "hasCountries": !figures.countries.isEmpty,
            "holds": figures.holds.map { ["cause": $0.cause, "sims": $0.sims] as [String: Any] }, "hasHolds": !figures.holds.isEmpty,
            "bundles": figures.bundlesNearEnd.sims.map { sim -> [String: Any] in
                let left = sim.bundle.map { $0.size > $0.used ? $0.size - $0.used : 0 } ?? 0
                return ["id": sim.id.rawValue, "iccid": sim.iccid, "left": DashboardFormat.bytes(left)]
            },
            "bundleCount": figures.bundlesNearEnd.count, "hasBundles": figures.bundlesNearEnd.count > 0,
            "rulesFired": figures.rulesFired.map { ["id": $0.rule.rawValue, "name": $0.name, "sims": $0.sims] as [String: Any] },
            "hasRulesFired": !figures.rulesFired.isEmpty,
        ]
        if let problem = figures.usageProblem { values["usageProblem"] = problem }
        if let problem = figures.costsProblem { values["costsProblem"] = problem }
        if let costs = figures.costs {
            values["costs"] = costs.totals.map { total -> [String: Any] in
                var row: [String: Any] = [
                    "amount": DashboardStatementFigures.money(total.amount, currency: total.currency),
                    "saved": DashboardStatementFigures.money(total.saved, currency: total.currency),
                ]
                if let forecast = total.forecastAmount { row["forecast"] = DashboardStatementFigures.money(forecast, currency: total.currency) }
                return row
            }
            values["hasCosts"] = !costs.totals.isEmpty
            values["savings"] = costs.savings.filter { $0.saved != 0 }.map { saving -> [String: Any] in
                ["cause": saving.cause?.description ?? "none", "sims": saving.simCount, "saved": DashboardStatementFigures.money(saving.saved, currency: saving.currency)]
            }
        } else if isOperator {
            values["costsPerAccount"] = true
        }
        // A customer's costs are worked out whenever they can be; with no priced tariff they
        // have no totals, which left the card with its heading alone.
        values["costsUnknown"] = figures.costsProblem == nil && (figures.costs?.totals.isEmpty ?? true) && !isOperator
        return values
    }
}
