import Foundation
import SimGateCore
import SimGateStore

/// Creating and removing bindings inside a unit of work, shared by the API, by metadata in
/// gateway events, and by a SIM that changes hands.
struct BillingBindings: Sendable {
    /// The time written on bindings, events and queued jobs.
    let clock: any WallClock
    /// Makes ids for bindings and events.
    let ids: IdentifierGenerator

    private var factory: EventFactory { EventFactory(ids: ids) }

    /// Binds `subscriptionID` of `gateway` to a SIM, records the event, and queues every
    /// event of that subscription that arrived before its binding. If the subscription is
    /// already bound (a concurrent request won), returns that binding.
    ///
    /// What the gateway said about the subscription is the subscription's, not the SIM's: a
    /// subscription bound before (to another SIM, say, or to one that changed hands since) brings
    /// the facts of its events already applied, and its new SIM is looked at at once. Bound
    /// afresh, a subscription paid a month ahead had given its new SIM nothing until the renewal.
    func create(
        gateway: PaymentGateway, subscriptionID: String, simID: SimID, source: BillingBinding.Source, cause: ChangeCause, in tx: StoreTransaction
    ) async throws -> BillingBinding {
        let now = clock.now()
        let earlier = try await Self.facts(of: subscriptionID, gateway: gateway, in: tx)
        let binding = BillingBinding(
            id: ids.make(), accountID: gateway.accountID, gatewayID: gateway.id, subscriptionID: subscriptionID, simID: simID,
            entitlement: earlier.reduce(Entitlement()) { $0.merging($1) }, source: source, createdAt: now, updatedAt: now
        )
        guard try await tx.bindings.insert(binding) else {
            guard let existing = try await tx.bindings.find(gatewayID: gateway.id, subscriptionID: subscriptionID) else {
                throw DomainError(.conflict, code: "binding_conflict", message: "The subscription is being bound by another request; try again.")
            }
            return existing
        }
        try await tx.events.append([try event(.billingBindingCreated, binding, gateway: gateway, cause: cause, at: now)])
        for waiting in try await tx.gatewayEvents.unbound(gatewayID: gateway.id, subscriptionID: subscriptionID) {
            try await tx.jobs.enqueue(try NewJob(ApplyGatewayEventJob(gatewayEvent: waiting.id), runAt: now), now: now)
        }
        if !earlier.isEmpty {
            let evaluate = EvaluatePaymentJob(sim: simID, reason: "subscription \(subscriptionID) bound, with what its gateway had said of it")
            try await tx.jobs.enqueue(try NewJob(evaluate, runAt: now, uniqueKey: "\(EvaluatePaymentJob.kind):\(simID):\(now.epochMilliseconds)"), now: now)
        }
        return binding
    }

    /// The facts of the subscription's events already applied to a binding of it, oldest first.
    private static func facts(of subscriptionID: String, gateway: PaymentGateway, in tx: StoreTransaction) async throws -> [EntitlementFact] {
        try await tx.gatewayEvents.events(gatewayID: gateway.id, subscriptionID: subscriptionID, status: .applied).compactMap { event in
            try? GatewayNotificationDecoder.decode(kind: gateway.kind, payload: event.payload, externalID: event.externalID, receivedAt: event.receivedAt).fact
        }
    }

    /// Deletes a binding with its `billing_binding.deleted` event.
    func delete(_ binding: BillingBinding, gateway: PaymentGateway, cause: ChangeCause, in tx: StoreTransaction) async throws -> Event {
        try await tx.bindings.delete(binding.id)
        return try event(.billingBindingDeleted, binding, gateway: gateway, cause: cause, at: clock.now())
    }

    /// The `billing_binding.updated` event for a changed entitlement, naming what it was; `nil`
    /// when nothing the binding shows changed (a failed payment of a subscription already
    /// paid moves only what the entitlement keeps inside, and has an event of its own: an
    /// update naming no attribute told of nothing).
    func updated(_ binding: BillingBinding, previous: BillingBinding, gateway: PaymentGateway, cause: ChangeCause) throws -> Event? {
        func value(_ date: Date?) -> JSONValue { date.map { .string(RFC3339.string(from: $0)) } ?? .null }
        var changed: [String: JSONValue] = [:]
        if binding.entitlement.paidUntil != previous.entitlement.paidUntil { changed["paid_until"] = value(previous.entitlement.paidUntil) }
        if binding.entitlement.trialEnd != previous.entitlement.trialEnd { changed["trial_until"] = value(previous.entitlement.trialEnd) }
        // As the binding shows it: the grace in force under the gateway's policy.
        let (grace, policy) = (gateway.graceLength, gateway.cancellation)
        if binding.entitlement.graceInForce(under: policy, grace: grace) != previous.entitlement.graceInForce(under: policy, grace: grace) {
            changed["grace_until"] = value(previous.entitlement.graceInForce(under: policy, grace: grace))
        }
        if binding.entitlement.endedAt != previous.entitlement.endedAt { changed["ended_at"] = value(previous.entitlement.endedAt) }
        let (accessEnds, previousAccessEnds) = (binding.entitlement.accessEnds(under: policy, grace: grace), previous.entitlement.accessEnds(under: policy, grace: grace))
        if accessEnds != previousAccessEnds { changed["access_ends_at"] = value(previousAccessEnds) }
        if changed.isEmpty { return nil }
        return try event(.billingBindingUpdated, binding, gateway: gateway, previous: changed, cause: cause, at: clock.now())
    }

    /// The `billing_binding.payment_failed` event: a payment for the bound subscription failed.
    func paymentFailed(_ binding: BillingBinding, gateway: PaymentGateway, cause: ChangeCause) throws -> Event {
        try event(.billingBindingPaymentFailed, binding, gateway: gateway, cause: cause, at: clock.now())
    }

    private func event(
        _ type: EventType, _ binding: BillingBinding, gateway: PaymentGateway, previous: [String: JSONValue]? = nil, cause: ChangeCause, at time: Date
    ) throws -> Event {
        try factory.event(
            type, accountID: binding.accountID, simID: binding.simID, object: BillingBindingResource(binding, gateway: gateway),
            previousAttributes: previous, cause: cause, at: time
        )
    }
}

extension BillingBindings: SimHandoverStep {
    /// A customer's subscriptions do not follow its SIM to someone else: its bindings are
    /// deleted, each with a `billing_binding.deleted` event in the customer's feed.
    func simLeft(_ update: SimUpdate, customer: AccountID, cause: ChangeCause, in tx: StoreTransaction) async throws -> [Event] {
        var produced: [Event] = []
        for binding in try await tx.bindings.bindings(of: update.sim.id) {
            guard let gateway = try await tx.gateways.find(binding.gatewayID, accountID: nil) else { continue }
            produced.append(try await delete(binding, gateway: gateway, cause: cause, in: tx))
        }
        return produced
    }
}
