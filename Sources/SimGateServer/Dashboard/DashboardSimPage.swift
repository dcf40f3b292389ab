import Foundation
import SimGateCore
import SimGateStore

/// What a SIM's page shows: identity, status and every hold with who placed it and why, the
/// timeline of events, usage this month by day and by country, sessions with how their
/// Disconnect-Requests were answered, billing, bundle and AOFU times, and the rules that
/// apply with when each last fired for this SIM. A customer sees only its own time with the
/// SIM: events, usage and sessions of a previous owner stay hidden, as in the API.
struct DashboardSimPage: Sendable {
    /// SIMs, read with the caller's visibility.
    let sims: SimService
    /// The SIM's events.
    let events: EventService
    /// Usage totals and sessions.
    let usage: UsageService
    /// Billing bindings.
    let payments: PaymentService
    /// Rules and what they remember of SIMs.
    let store: Store
    /// "This month".
    let clock: any WallClock

    /// Events on the timeline.
    static let timelineLength = 30

    /// The page's template values for the SIM `reference` names.
    func content(_ reference: SimReference, signedIn: SignedIn) async throws -> [String: Any] {
        let principal = signedIn.principal
        let sim = try await sims.find(reference, visibleAccountID: principal.visibleAccountID)
        let ownAccount = principal.visibleAccountID
        let timeline = try await events.list(EventFilter(accountID: ownAccount, simID: sim.id), PageRequest(limit: Self.timelineLength)).items
        let month = BillingMonth(containing: clock.now())
        let (fromDay, toDay) = (month.dayKeys.first!, month.dayKeys.last!)
        let days = try await usage.totals(UsageTotalsQuery(scope: .sim(sim.id), months: false, from: fromDay, to: toDay, account: ownAccount))
        let countries = try await usage.totals(UsageTotalsQuery(scope: .sim(sim.id), months: false, from: fromDay, to: toDay, byCountry: true, account: ownAccount))
        let sessions = try await usage.sessions(of: sim.id, visibleAccountID: ownAccount, openOnly: false, limit: 10).sessions
        let rules = try await rulesApplying(to: sim)

        var content: [String: Any] = [
            "id": sim.id.rawValue, "iccid": sim.iccid.digits, "imsi": sim.imsi.digits, "serial": sim.serialNumber,
            "status": sim.status.rawValue, "statusKey": sim.status.rawValue.lowercased(),
            "statusWhy": Self.statusWhy(sim),
            "csrf": signedIn.session.csrfToken, "canAct": !signedIn.readOnly && sim.status != .retired,
            "events": timeline.map(Self.eventRow), "hasEvents": !timeline.isEmpty,
            "holds": sim.state.holds.values.sorted { $0.placedAt < $1.placedAt }.map(Self.holdRow), "hasHolds": !sim.state.holds.isEmpty,
            "monthName": month.description, "usageMonth": DashboardFormat.bytes(Self.sum(days)),
            "usageMonthBytes": String(Self.sum(days)),
            "dayChart": DashboardChart(title: "Data used each day of \(month)", bars: Self.dayBars(days, month: month)).svg,
            "countries": countries.sorted { $0.up + $0.down > $1.up + $1.down }.map { total -> [String: Any] in
                ["country": (total.country ?? "").isEmpty ? "unknown" : total.country!, "bytes": DashboardFormat.bytes(total.up + total.down)]
            },
            "hasCountries": !countries.isEmpty,
            "sessions": sessions.map(Self.sessionRow), "hasSessions": !sessions.isEmpty,
            "rules": rules, "hasRules": !rules.isEmpty,
        ]
        if let newest = timeline.first { content["newestEvent"] = newest.id.rawValue }
        if let msisdn = sim.msisdn { content["msisdn"] = msisdn.digits }
        if let eid = sim.eid { content["eid"] = eid.digits }
        if let imei = sim.imei { content["imei"] = imei.digits }
        if let tariff = sim.tariffNumber { content["tariff"] = tariff }
        if !sim.labels.values.isEmpty { content["labels"] = sim.labels.values.sorted().joined(separator: ", ") }
        if principal.isOperator { content["account"] = sim.accountID?.rawValue ?? "operator's stock" }
        if let seen = sim.lastSeen {
            var place: [String: Any] = ["since": DashboardFormat.time(seen.since)]
            if let country = seen.country { place["country"] = country }
            if let network = seen.mccMNC { place["network"] = network }
            content["seen"] = place
        }
        content.merge(Self.aofu(sim, canAct: !signedIn.readOnly)) { $1 }
        content.merge(try await billing(sim)) { $1 }
        return content
    }

    /// What the live stream sends of a SIM: status, holds and this month's usage, as the page
    /// shows them, with the usage in bytes to tell whether it changed.
    func liveState(of simID: SimID, signedIn: SignedIn) async throws -> (usageBytes: UInt64, values: [String: Any]) {
        let ownAccount = signedIn.principal.visibleAccountID
        let sim = try await sims.find(.id(simID), visibleAccountID: ownAccount)
        let month = BillingMonth(containing: clock.now())
        let total = try await usage.totals(UsageTotalsQuery(scope: .sim(sim.id), months: true, from: month.description, to: month.description, account: ownAccount))
        let bytes = Self.sum(total)
        // Why, with the status: a page updated live said "LIVE since 09:10:24, by ...:
        // 'bike reported stolen'", the suspension's words under the activation's status.
        return (bytes, [
            "status": sim.status.rawValue, "statusKey": sim.status.rawValue.lowercased(), "statusWhy": Self.statusWhy(sim),
            "usageMonth": DashboardFormat.bytes(bytes),
            "usageMonthBytes": String(bytes),
            "holds": sim.state.holds.values.sorted { $0.placedAt < $1.placedAt }.map(Self.holdRow),
        ])
    }

    /// Since when the SIM has its status, who set it and why, as the page prints it.
    static func statusWhy(_ sim: Sim) -> String {
        let reason = sim.statusCause.reason.map { ": “\($0)”" } ?? ""
        return "since \(DashboardFormat.time(sim.statusChangedAt)), by \(DashboardFormat.actor(sim.statusCause.actor))\(reason)"
    }

    /// The rules of the SIM's account whose scope takes it in, with when each last fired for it.
    private func rulesApplying(to sim: Sim) async throws -> [[String: Any]] {
        guard let account = sim.accountID else { return [] }
        let (rules, states) = try await store.read { tx in
            let stored = try await tx.rules.list(accountID: account, PageRequest(limit: PageRequest.maximumLimit)).items
            let rules = try stored.map(Rule.init(stored:)).filter { rule in
                switch rule.scope {
                case .allSims: true
                case .label(let label): sim.labels.values.contains(label)
                case .sims(let ids): ids.contains(sim.id)
                }
            }
            return (rules, try await tx.rules.states(rules: rules.map(\.id), sims: [sim.id]))
        }
        return rules.map { rule -> [String: Any] in
            var row: [String: Any] = ["id": rule.id.rawValue, "name": rule.name, "trigger": rule.trigger.typeName, "enabled": rule.enabled]
            if let fired = states[RuleStateKey(rule: rule.id, sim: sim.id)]?.lastFiredAt { row["lastFired"] = DashboardFormat.time(fired) }
            return row
        }
    }

    /// The SIM's payment bindings: what each has paid until and its grace.
    private func billing(_ sim: Sim) async throws -> [String: Any] {
        guard case .object(let billing) = try await payments.billing(of: sim.id), case .array(let bindings)? = billing["bindings"] else { return [:] }
        func text(_ value: JSONValue?) -> String? {
            guard case .string(let text)? = value else { return nil }
            return text
        }
        let rows = bindings.compactMap { binding -> [String: Any]? in
            guard case .object(let fields) = binding else { return nil }
            var row: [String: Any] = [:]
            for (key, name) in [("gateway", "gateway"), ("subscription", "subscription"), ("paid_until", "paidUntil"), ("trial_until", "trialUntil"),
                                ("grace_until", "graceUntil"), ("ended_at", "endedAt"), ("access_ends_at", "accessEndsAt")] {
                if let value = text(fields[key]) { row[name] = value }
            }
            return row
        }
        var content: [String: Any] = ["bindings": rows, "hasBindings": !rows.isEmpty]
        if let ends = text(billing["access_ends_at"]) { content["accessEndsAt"] = ends }
        return content
    }

    private static func aofu(_ sim: Sim, canAct: Bool) -> [String: Any] {
        var content: [String: Any] = [:]
        if let bundle = sim.bundle {
            content["bundle"] = [
                "size": DashboardFormat.bytes(bundle.size), "used": DashboardFormat.bytes(bundle.used),
                "remaining": DashboardFormat.bytes(bundle.remaining), "canTopUp": canAct,
            ] as [String: Any]
        }
        if let first = sim.firstUseAt { content["firstUse"] = DashboardFormat.time(first) }
        if let threshold = sim.shutdownThreshold { content["thresholdHours"] = threshold.hours }
        if let shutdown = sim.shutdownAt { content["shutdownAt"] = DashboardFormat.time(shutdown) }
        content["isAOFU"] = sim.bundle != nil || sim.shutdownThreshold != nil
        return content
    }

    /// An event as the timeline (and the live stream) shows it.
    static func eventRow(_ event: Event) -> [String: Any] {
        var row: [String: Any] = [
            "id": event.id.rawValue, "at": DashboardFormat.time(event.createdAt), "type": event.type.rawValue,
            "by": DashboardFormat.actor(event.cause.actor),
        ]
        if let reason = event.cause.reason { row["reason"] = reason }
        return row
    }

    private static func holdRow(_ hold: Hold) -> [String: Any] {
        var row: [String: Any] = [
            "cause": hold.cause.description, "placedAt": DashboardFormat.time(hold.placedAt), "by": DashboardFormat.actor(hold.origin.actor),
        ]
        if let reason = hold.origin.reason { row["reason"] = reason }
        return row
    }

    private static func sessionRow(_ session: DataSession) -> [String: Any] {
        var row: [String: Any] = [
            "started": DashboardFormat.time(session.startedAt), "nas": session.nas, "session": session.sessionID,
            "bytes": DashboardFormat.bytes(Self.sum([UsageTotal(period: "", country: nil, up: session.counters.inputBytes, down: session.counters.outputBytes)])),
            "state": session.stoppedAt.map { "ended \(DashboardFormat.time($0))" } ?? "open",
        ]
        if let country = session.country { row["country"] = country }
        if let disconnect = session.disconnect {
            var outcome = disconnect.outcome.rawValue
            if let cause = disconnect.errorCause { outcome += " (Error-Cause \(cause))" }
            row["disconnect"] = outcome + ", " + DashboardFormat.time(disconnect.at)
        }
        return row
    }

    /// Bytes over all `totals`, saturating rather than wrapping.
    static func sum(_ totals: [UsageTotal]) -> UInt64 {
        totals.reduce(UInt64(0)) { sum, total in
            let (both, over) = total.up.addingReportingOverflow(total.down)
            let (next, overAgain) = sum.addingReportingOverflow(both)
            return over || overAgain ? .max : next
        }
    }

    /// One bar per day of `month` up to its last day, empty days included.
    private static func dayBars(_ totals: [UsageTotal], month: BillingMonth) -> [DashboardChart.Bar] {
        var byDay: [String: UInt64] = [:]
        for total in totals { byDay[total.period, default: 0] = sum([total]) }
        return month.dayKeys.map { key in DashboardChart.Bar(label: String(key.suffix(2)), value: byDay[key] ?? 0) }
    }
}

extension BillingMonth {
    /// The month's days as usage totals key them (`2026-12-01` ...), in order.
    var dayKeys: [String] {
        (1...Int(seconds / 86_400)).map { "\(description)-" + String(format: "%02d", $0) }
    }
}
