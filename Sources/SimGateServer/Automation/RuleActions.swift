import Foundation
import SimGateCore
import SimGateStore

/// What one action did, as the firing's event shows it.
struct ActionOutcome: Codable, Equatable, Sendable {
    /// The action's type.
    let type: String
    /// `done`, `skipped`, `failed`, `queued` (a webhook) or `scheduled` (a delayed action).
    let outcome: String
    /// Why, for a person.
    let detail: String?
    /// The endpoint of a webhook action.
    let endpoint: String?
    /// When a delayed action will run.
    let runAt: Date?

    /// The JSON field names.
    enum CodingKeys: String, CodingKey {
        case type, outcome, detail, endpoint
        case runAt = "run_at"
    }
}

/// Carries out rule actions on a SIM inside a unit of work, through the SIM and AOFU services,
/// so that every change has its events with the rule as cause.
struct RuleActions: Sendable {
    /// Changes SIMs.
    let sims: SimService
    /// Tops up bundles.
    let aofu: AOFUService

    /// Does `kind` to `sim` for `rule`; returns the outcome and the SIM afterwards. Webhook
    /// actions are not done here (the firing's event must exist first): they are checked only.
    func perform(_ kind: RuleAction.Kind, on sim: Sim, rule: Rule, in tx: StoreTransaction) async throws -> (ActionOutcome, Sim) {
        let cause = ChangeCause(actor: ChangeActor(.rule, id: rule.id.rawValue), reason: String(rule.name.prefix(ChangeCause.maximumReasonLength)))
        let now = sims.clock.now()
        func outcome(_ result: String, _ detail: String?, endpoint: WebhookEndpointID? = nil) -> ActionOutcome {
            ActionOutcome(type: kind.typeName, outcome: result, detail: detail, endpoint: endpoint?.rawValue, runAt: nil)
        }
        do {
            switch kind {
            case .setOffline:
                guard !sim.state.holdCauses.contains(rule.holdCause) else { return (outcome("skipped", "The rule's hold was already in force."), sim) }
                let updated = try await sims.commit(try sim.applying(.placeHold(rule.holdCause), at: now, cause: cause), cause: cause, in: tx)
                return (outcome("done", "Hold \(rule.holdCause) placed; the SIM is \(updated.status.rawValue)."), updated)
            case .liftHold:
                guard sim.state.holdCauses.contains(rule.holdCause) else { return (outcome("skipped", "The rule's hold was not in force."), sim) }
                let updated = try await sims.commit(try sim.applying(.liftHold(rule.holdCause), at: now, cause: cause), cause: cause, in: tx)
                return (outcome("done", "Hold \(rule.holdCause) lifted; the SIM is \(updated.status.rawValue)."), updated)
            case .topUp(let bytes):
                guard sim.bundle != nil else { return (outcome("skipped", "The SIM has no data bundle to top up."), sim) }
                let updated = try await aofu.topUp(sim, bytes: bytes, cause: cause, in: tx)
                return (outcome("done", "Bundle topped up by \(bytes) bytes."), updated)
            case .webhook(let endpoint):
                guard let found = try await tx.webhooks.find(endpoint, accountID: rule.accountID), found.status == .enabled else {
                    return (outcome("failed", "The endpoint does not exist or is disabled.", endpoint: endpoint), sim)
                }
                return (outcome("queued", nil, endpoint: endpoint), sim)
            }
        } catch let error as DomainError {
            return (outcome("failed", error.message), sim)
        }
    }

    /// Queues the delivery of `event` to a webhook action's endpoint (once: an endpoint that
    /// also subscribes to the event's type gets it by that).
    func deliver(_ event: Event, to endpointID: WebhookEndpointID, accountID: AccountID, in tx: StoreTransaction) async throws {
        guard let endpoint = try await tx.webhooks.find(endpointID, accountID: accountID), endpoint.status == .enabled else { return }
        let delivery = WebhookPayload.delivery(
            id: sims.ids.make(), endpoint: endpoint, messageID: event.id.rawValue, eventType: event.type.rawValue,
            payload: try WebhookPayload.body(for: event), at: event.createdAt
        )
        try await tx.webhooks.enqueue([delivery])
    }
}
