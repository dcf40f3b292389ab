import Foundation
import SimGateCore
import SimGateStore

/// Rules evaluated as events happen: an append hook that reads, from the events a unit of
/// work just wrote, the facts rule triggers watch (a new country, a status change, a lapsed
/// payment...), and fires the rules they trigger in the same unit of work.
///
/// Events a rule caused never trigger rules, so two rules cannot set each other off forever.
struct RuleEventTriggers: EventAppendHook {
    /// Decides and records the firings.
    let engine: RuleEngine

    /// The trigger types each event type can set off.
    static let watchers: [EventType: Set<String>] = [
        .simLocationChanged: ["country_not_in", "country_changed"],
        .simFirstUse: ["first_use"],
        .simDeviceChanged: ["device_changed"],
        .simStatusChanged: ["status_changed"],
        .billingBindingPaymentFailed: ["payment_failed"],
        .simHoldPlaced: ["entitlement_lapsed"],
        .simSessionStarted: ["session_opened"],
    ]

    /// Turns the watched events (none caused by a rule) into facts and fires the enabled rules of their accounts they set off.
    func eventsAppended(_ events: [Event], in tx: StoreTransaction) async throws {
        let watched = events.filter { $0.simID != nil && $0.accountID != nil && $0.cause.actor.kind != .rule && Self.watchers[$0.type] != nil }
        guard !watched.isEmpty else { return }
        let types = watched.reduce(into: Set<String>()) { $0.formUnion(Self.watchers[$1.type] ?? []) }
        let accounts = Set(watched.compactMap(\.accountID))
        // A bulk action appends events SIM by SIM: the rules are read once per unit of work.
        let rules = try await tx.remembered("rules.enabled:" + accounts.map(\.rawValue).sorted().joined(separator: ",") + ":" + types.sorted().joined(separator: ",")) {
            try await RuleEngine.rules(of: accounts, triggerTypes: types, in: tx)
        }
        let byAccount = AccountRules(rules)
        guard !byAccount.isEmpty else { return }
        let relevant = watched.filter { byAccount.covers($0.accountID) }
        let sims = try await tx.sims.ruleSubjects(ids: Set(relevant.compactMap(\.simID)).sorted())
        var facts: [ObservedFact] = []
        for event in relevant {
            guard let simID = event.simID, let sim = sims[simID], sim.accountID == event.accountID else { continue }
            // The event's JSON is read only if a rule watching its type could fire for the SIM.
            let watching = Self.watchers[event.type] ?? []
            guard byAccount.anyApplies(to: sim, trigger: { watching.contains($0.typeName) }), let fact = Self.fact(from: event) else { continue }
            facts.append(ObservedFact(sim: sim, fact: fact, sourceEvent: event.id))
        }
        try await engine.evaluate(facts, rules: byAccount, in: tx)
    }

    /// The fact an event records, read from its JSON; `nil` for an event that records none a trigger watches.
    static func fact(from event: Event) -> RuleFact? {
        let object = json(event.object)
        let previous = event.previousAttributes.map(json) ?? [:]
        let lastSeen = object["last_seen"] as? [String: Any]
        let previousSeen = previous["last_seen"] as? [String: Any]
        switch event.type {
        case .simLocationChanged:
            return .located(country: lastSeen?["country"] as? String, network: lastSeen?["mcc_mnc"] as? String, previousCountry: previousSeen?["country"] as? String)
        case .simFirstUse:
            return .firstUse
        case .simDeviceChanged:
            return .deviceChanged(imei: lastSeen?["imei"] as? String, previousIMEI: previousSeen?["imei"] as? String)
        case .simStatusChanged:
            guard let to = (object["status"] as? String).flatMap(SimStatus.init(rawValue:)),
                  let from = (previous["status"] as? String).flatMap(SimStatus.init(rawValue:)) else { return nil }
            return .statusChanged(from: from, to: to)
        case .billingBindingPaymentFailed:
            return .paymentFailed
        case .simHoldPlaced:
            let holds = (object["holds"] as? [[String: Any]] ?? []).compactMap { $0["cause"] as? String }
            let before = previous["holds"] as? [String] ?? []
            return holds.contains("payment") && !before.contains("payment") ? .entitlementLapsed : nil
        case .simSessionStarted:
            return .sessionOpened(rat: object["rat"] as? String, network: object["mcc_mnc"] as? String)
        default:
            return nil
        }
    }

    private static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }
}
