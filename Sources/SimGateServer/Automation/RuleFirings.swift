import Foundation
import SimGateCore
import SimGateStore

/// The object of a `rule.triggered` or `rule.action_ran` event: which rule, which SIM, what
/// matched, and what each action did. It answers "why is this SIM OFFLINE?".
struct RuleFiringResource: Codable, Equatable, Sendable {
    /// The rule, as it was when it fired.
    struct RuleSummary: Codable, Equatable, Sendable {
        /// The rule's `rule_...` id.
        let id: String
        /// The rule's name.
        let name: String
        /// The rule's trigger, as the API writes it.
        let trigger: JSONValue
    }

    /// `rule_firing`.
    let object: String
    /// The rule that fired: its id, name and trigger.
    let rule: RuleSummary
    /// The `sim_...` id of the SIM it fired for.
    let sim: String
    /// That SIM's ICCID, digits only.
    let iccid: String
    /// The `evt_...` id of the event that set the rule off, when one did.
    let sourceEvent: String?
    /// That event whole, as `GET /v1/events/{id}` shows it, so that a webhook carries what
    /// triggered the rule; absent for usage and idleness, which no event records.
    let triggeringEvent: EventResource?
    /// The `rule.triggered` event of the firing (on `rule.action_ran` events).
    let firing: String?
    /// The values the trigger matched.
    let matched: [String: String]
    /// Each action and what it did.
    let actions: [ActionOutcome]

    /// The JSON field names.
    enum CodingKeys: String, CodingKey {
        case object, rule, sim, iccid, matched, actions, firing
        case sourceEvent = "source_event"
        case triggeringEvent = "triggering_event"
    }

    /// The firing of `rule` for `sim`, with what matched and what each action did.
    init(rule: Rule, sim: Sim, sourceEvent: Event?, firing: EventID?, matched: [String: String], actions: [ActionOutcome]) throws {
        object = "rule_firing"
        guard case .object(let parts) = RuleDefinition(trigger: rule.trigger, actions: rule.actions).json else { preconditionFailure("a definition is an object") }
        self.rule = RuleSummary(id: rule.id.rawValue, name: rule.name, trigger: parts["trigger"] ?? .null)
        self.sim = sim.id.rawValue
        iccid = sim.iccid.digits
        self.sourceEvent = sourceEvent?.id.rawValue
        triggeringEvent = try sourceEvent.map(EventResource.init)
        self.firing = firing?.rawValue
        self.matched = matched
        self.actions = actions
    }
}

/// Runs rule firings and their delayed actions as durable jobs.
struct RuleFirings: Sendable {
    /// Does the actions.
    let actions: RuleActions
    /// Decides idle firings.
    let engine: RuleEngine

    private var store: Store { actions.sims.store }
    private var clock: any WallClock { actions.sims.clock }

    /// The job handlers: firings, delayed actions, and the idle scan.
    var handlers: [JobHandler] {
        [
            JobHandler(RuleFireJob.self) { job, record in try await fire(job, firingID: Self.firingID(of: record.id)) },
            // Named by the job (the same on every run), dated when it was due: dated when it
            // was queued, up to a year before, it sorted behind every event made meanwhile, so
            // lists newest first, `ending_before` and the dashboard's live pages missed it.
            JobHandler(RuleActionJob.self) { job, record in
                let id = Self.firingID(of: record.id)
                try await runDelayed(job, eventID: job.dueAt.map(id.retimed(to:)) ?? id)
            },
            JobHandler(IdleScanJob.self) { _, _ in try await scanIdle() },
        ]
    }

    /// The `rule.triggered` (or `rule.action_ran`) event's id for the job `job`: its own id under the
    /// event prefix. A job can run again after its work committed (the process died before the
    /// job was marked done); its firing is then found already recorded, and nothing is done or
    /// sent twice. With a new id each run, the rule fired again and its webhook went out under
    /// a second `webhook-id`, which no receiver could tell from a new firing.
    static func firingID(of job: JobID) -> EventID {
        EventID(trusted: EventKind.prefix + "_" + job.rawValue.dropFirst(JobKind.prefix.count + 1))
    }

    /// Carries out a firing's actions in order: those without delay now, the others as jobs;
    /// then records the `rule.triggered` event, with the id `firingID`, and sends it to the
    /// webhook actions' endpoints. Does nothing when that event is already recorded.
    func fire(_ job: RuleFireJob, firingID: EventID) async throws {
        try await store.transaction { tx in
            // A rule deleted or turned off since it fired does nothing more.
            guard let stored = try await tx.rules.find(job.rule, accountID: nil), stored.enabled else { return }
            let rule = try Rule(stored: stored)
            guard try await tx.events.find(firingID, accountID: rule.accountID) == nil else { return }
            guard var sim = try await tx.sims.find(job.sim, accountID: rule.accountID, forUpdate: true) else { return }
            let now = clock.now()
            var outcomes: [ActionOutcome] = []
            var webhooks: [WebhookEndpointID] = []
            var delayed: [NewJob] = []
            for action in rule.actions {
                if action.delaySeconds > 0 {
                    let runAt = now + TimeInterval(action.delaySeconds)
                    delayed.append(try NewJob(RuleActionJob(rule: rule.id, sim: sim.id, firing: firingID, action: action, dueAt: runAt), runAt: runAt))
                    outcomes.append(ActionOutcome(type: action.kind.typeName, outcome: "scheduled", detail: nil, endpoint: action.endpointText, runAt: runAt))
                    continue
                }
                let (outcome, after) = try await actions.perform(action.kind, on: sim, rule: rule, in: tx)
                sim = after
                outcomes.append(outcome)
                if case .webhook(let endpoint) = action.kind, outcome.outcome == "queued" { webhooks.append(endpoint) }
            }
            var source: Event?
            if let id = job.event { source = try await tx.events.find(id, accountID: rule.accountID) }
            let event = try firingEvent(.ruleTriggered, id: firingID, rule: rule, sim: sim, source: source, firing: nil, matched: job.matched, outcomes: outcomes, at: now)
            try await tx.events.append([event])
            for endpoint in webhooks { try await actions.deliver(event, to: endpoint, accountID: rule.accountID, in: tx) }
            try await tx.jobs.enqueue(delayed, now: now)
        }
    }

    /// Runs one delayed action, if its rule is still there and enabled; records
    /// `rule.action_ran` with the id `eventID` (from the job's, as a firing's), and does nothing
    /// when that is already recorded.
    ///
    /// The rule as it is now decides: an action it no longer has (delayed), a SIM no longer in
    /// its scope or no longer its account's, is skipped and recorded so. The action was frozen into its job when the
    /// rule fired, and ran after an edit had taken it out.
    func runDelayed(_ job: RuleActionJob, eventID: EventID) async throws {
        try await store.transaction { tx in
            // A deleted rule's actions go with it (its `rule.deleted` event says so); a rule
            // turned off keeps them, recorded as skipped below: dropped in silence, its firing
            // said "scheduled" for ever.
            guard let stored = try await tx.rules.find(job.rule, accountID: nil) else { return }
            let rule = try Rule(stored: stored)
            guard try await tx.events.find(eventID, accountID: rule.accountID) == nil else { return }
            // Read whoever holds it now: a SIM that changed hands meanwhile is skipped and
            // recorded so (the rule's account sees only its id), not dropped in silence.
            guard let sim = try await tx.sims.find(job.sim, accountID: nil, forUpdate: true), let kind = job.actionKind else { return }
            // A SIM that went away and came back (A1 -> A2 -> A1) is the account's again, but
            // in a later tenure than the one that fired: its handover is dated after the firing.
            let firedAt = try await tx.events.find(job.firing, accountID: rule.accountID)?.createdAt
            let handedOverAt = try await tx.events.latestTime(simID: sim.id, types: [.simAssigned, .simUnassigned])
            let skipped: String? = if !stored.enabled {
                "The rule was turned off."
            } else if sim.accountID != rule.accountID {
                "The SIM is no longer the rule's account's."
            } else if let firedAt, let handedOverAt, handedOverAt > firedAt {
                "The SIM changed hands after the rule fired."
            } else if !rule.actions.contains(where: { $0.kind == kind && $0.delaySeconds > 0 }) {
                "The rule no longer has this action."
            } else if !rule.scope.contains(sim.ruleSubject) {
                "The SIM is no longer in the rule's scope."
            } else {
                nil
            }
            let (outcome, after) = if let skipped {
                (ActionOutcome(type: kind.typeName, outcome: "skipped", detail: skipped, endpoint: job.endpoint?.rawValue, runAt: nil), sim)
            } else {
                try await actions.perform(kind, on: sim, rule: rule, in: tx)
            }
            let event = try firingEvent(.ruleActionRan, id: eventID, rule: rule, sim: after, source: nil, firing: job.firing, matched: [:], outcomes: [outcome], at: clock.now())
            try await tx.events.append([event])
            if case .webhook(let endpoint) = kind, outcome.outcome == "queued" {
                try await actions.deliver(event, to: endpoint, accountID: rule.accountID, in: tx)
            }
        }
    }

    /// Fires `no_data` rules for the LIVE SIMs in their scope that passed no data for the
    /// rule's hours (once per idle stretch), then queues the next scan.
    func scanIdle() async throws {
        try await store.transaction { tx in
            let rules = try await tx.rules.enabled(triggerType: "no_data").map(Rule.init(stored:))
            for (accountID, accountRules) in Dictionary(grouping: rules, by: \.accountID) {
                var cursor: String?
                repeat {
                    let page = try await tx.sims.list(SimFilter(accountID: accountID, statuses: [.live]), PageRequest(limit: 100, startingAfter: cursor))
                    let lastData = try await tx.usage.lastDataAt(sims: page.items.map(\.id), account: accountID)
                    let facts = page.items.compactMap { sim -> ObservedFact? in
                        // Idle while LIVE: since its last data, or since it went LIVE if that
                        // came later. A SIM that came back to this account kept its data time
                        // from its earlier stay (totals are by account), and one re-activated after
                        // a week OFFLINE had been "idle" all week: both fired at the next scan.
                        let since = max(lastData[sim.id] ?? sim.firstUseAt ?? sim.statusChangedAt, sim.statusChangedAt)
                        return ObservedFact(sim: sim.ruleSubject, fact: .idle(lastDataAt: since, now: clock.now()), sourceEvent: nil)
                    }
                    try await engine.evaluate(facts, rules: accountRules, in: tx)
                    cursor = page.hasMore ? page.items.last?.id.rawValue : nil
                } while cursor != nil
            }
            try await IdleScan.schedule(after: clock.now(), in: tx)
        }
    }

    private func firingEvent(
        _ type: EventType, id: EventID, rule: Rule, sim: Sim, source: Event?, firing: EventID?, matched: [String: String], outcomes: [ActionOutcome], at time: Date
    ) throws -> Event {
        let object = try RuleFiringResource(rule: rule, sim: sim, sourceEvent: source, firing: firing, matched: matched, actions: outcomes)
        return Event(
            id: id, type: type, accountID: rule.accountID, simID: sim.id, object: try APIJSON.encodeToString(object), previousAttributes: nil,
            cause: ChangeCause(actor: ChangeActor(.rule, id: rule.id.rawValue), reason: String(rule.name.prefix(ChangeCause.maximumReasonLength))),
            createdAt: time
        )
    }
}

/// When the idle scan runs.
enum IdleScan {
    /// Between scans, in seconds.
    static let interval: TimeInterval = 900

    /// Queues the next scan, at the next quarter hour.
    static func schedule(after time: Date, in tx: StoreTransaction) async throws {
        try await tx.jobs.enqueue(try NewJob.periodic(IdleScanJob(), every: interval, after: time), now: time)
    }

    /// Queues the first scan at start-up (one per quarter hour however many instances start).
    static func schedule(on queue: JobQueue, after time: Date) async throws {
        try await queue.enqueue(try NewJob.periodic(IdleScanJob(), every: interval, after: time), now: time)
    }
}

extension RuleActionJob {
    /// The job for `action` of a firing.
    init(rule: RuleID, sim: SimID, firing: EventID, action: RuleAction, dueAt: Date) {
        var endpoint: WebhookEndpointID?
        var bytes: UInt64?
        switch action.kind {
        case .webhook(let id): endpoint = id
        case .topUp(let amount): bytes = amount
        case .setOffline, .liftHold: break
        }
        self.init(rule: rule, sim: sim, firing: firing, type: action.kind.typeName, endpoint: endpoint, bytes: bytes, dueAt: dueAt)
    }

    /// The action the job carries; `nil` for a type this version does not know.
    var actionKind: RuleAction.Kind? {
        switch type {
        case "webhook": endpoint.map { .webhook(endpoint: $0) }
        case "set_offline": .setOffline
        case "lift_hold": .liftHold
        case "top_up": bytes.map { .topUp(bytes: $0) }
        default: nil
        }
    }
}

extension RuleAction {
    /// The endpoint of a webhook action, as text.
    var endpointText: String? {
        if case .webhook(let id) = kind { return id.rawValue }
        return nil
    }
}

