import Foundation
import SimGateCore
import SimGateStore

/// The job that applies a stored gateway event: binds the subscription from metadata if it
/// can, merges the event's fact into the binding's entitlement, and re-evaluates the SIM's
/// payment hold, all in one transaction with the events that record it.
struct GatewayEventApplier: Sendable {
    /// The store, clock and binding steps the job works with.
    let payments: PaymentService

    private var evaluator: PaymentHoldEvaluator { PaymentHoldEvaluator(sims: payments.sims) }

    /// The job handler that applies the event of an ``ApplyGatewayEventJob``.
    var handler: JobHandler {
        JobHandler(ApplyGatewayEventJob.self) { parameters, _ in
            try await apply(parameters.gatewayEvent)
        }
    }

    /// Applies the stored event `id` and records its status and outcome on it. An event already
    /// applied, ignored or failed is left as it is.
    func apply(_ id: GatewayEventID) async throws {
        try await payments.store.transaction { tx in
            guard let event = try await tx.gatewayEvents.find(id, accountID: nil),
                  event.status == .received || event.status == .unbound,
                  let gateway = try await tx.gateways.find(event.gatewayID, accountID: nil)
            else { return }
            let now = payments.clock.now()
            let cause = ChangeCause(actor: ChangeActor(.gatewayEvent, id: event.externalID), reason: event.type)

            let notification: GatewayNotification
            do throws(GatewayPayloadError) {
                notification = try GatewayNotificationDecoder.decode(kind: gateway.kind, payload: event.payload, externalID: event.externalID, receivedAt: event.receivedAt)
            } catch {
                try await tx.gatewayEvents.record(id, status: .failed, outcome: error.message, at: now)
                return
            }
            guard let subscriptionID = notification.subscriptionID else {
                try await tx.gatewayEvents.record(id, status: .ignored, outcome: notification.noFactBecause ?? "Concerns no subscription.", at: now)
                return
            }
            // Held to what the API takes for a binding's subscription: no binding can have any
            // other, and metadata made bindings the API refuses (300 characters, control
            // characters, blanks) that no one could name. Checked before any lookup: PostgreSQL
            // takes no NUL in a query's text.
            guard BillingBinding.isUsableSubscriptionID(subscriptionID) else {
                let reason = "The subscription id is blank, longer than 255 characters or holds control characters: no binding has it, and none is made from metadata."
                try await tx.gatewayEvents.record(id, status: .ignored, outcome: reason, at: now)
                return
            }
            var binding = try await tx.bindings.find(gatewayID: gateway.id, subscriptionID: subscriptionID, forUpdate: true)
            var outcome: [String] = []
            var bound = false
            if binding == nil, let hint = notification.simHint {
                switch try await bindFromMetadata(hint, gateway: gateway, subscriptionID: subscriptionID, cause: cause, in: tx) {
                case .success(let created):
                    binding = created
                    bound = true
                    outcome.append("Bound subscription \(subscriptionID) to \(created.simID).")
                case .failure(let reason):
                    outcome.append(reason.message)
                }
            }
            // A binding is made once; metadata naming another SIM later (a bike's SIM swapped)
            // does not move it, but the event says so: money went on to the old SIM in silence.
            if !bound, let binding, let hint = notification.simHint,
               case .success(let named) = try await simNamed(by: hint, gateway: gateway, in: tx), named.id != binding.simID {
                outcome.append("The metadata names \(named.id), but the subscription stays bound to \(binding.simID); move it through /v1/billing_bindings.")
            }
            guard var current = binding else {
                outcome.append("No binding for subscription \(subscriptionID) yet; applied when one is made.")
                try await tx.gatewayEvents.record(id, status: .unbound, outcome: outcome.joined(separator: " "), at: now)
                return
            }
            guard let fact = notification.fact else {
                outcome.append(notification.noFactBecause ?? "No change to the entitlement.")
                // An event that bound the subscription did something: it is applied.
                try await tx.gatewayEvents.record(id, status: bound ? .applied : .ignored, outcome: outcome.joined(separator: " "), at: now)
                return
            }

            let previous = current
            current.entitlement = current.entitlement.merging(fact)
            if current.entitlement != previous.entitlement {
                current.updatedAt = now
                try await tx.bindings.saveEntitlement(current)
                if let updated = try payments.bindingSteps.updated(current, previous: previous, gateway: gateway, cause: cause) {
                    try await tx.events.append([updated])
                    outcome.append("Entitlement updated.")
                } else {
                    outcome.append("Entitlement updated; nothing the binding shows changed.")
                }
            } else {
                outcome.append("Entitlement already up to date.")
            }
            if case .paymentFailed = fact {
                // Each failed payment the gateway reports once (received events are deduplicated).
                try await tx.events.append([try payments.bindingSteps.paymentFailed(current, gateway: gateway, cause: cause)])
            }
            try await evaluator.evaluate(current.simID, cause: cause, in: tx)
            try await tx.gatewayEvents.record(id, status: .applied, outcome: outcome.joined(separator: " "), at: now)
        }
    }

    /// Creates the binding named by the event's metadata, if the SIM is the gateway account's.
    private func bindFromMetadata(
        _ hint: GatewayNotification.SimHint, gateway: PaymentGateway, subscriptionID: String, cause: ChangeCause, in tx: StoreTransaction
    ) async throws -> Result<BillingBinding, GatewayPayloadError> {
        let sim: Sim
        switch try await simNamed(by: hint, gateway: gateway, in: tx) {
        case .success(let found): sim = found
        case .failure(let reason): return .failure(reason)
        }
        let binding = try await payments.bindingSteps.create(
            gateway: gateway, subscriptionID: subscriptionID, simID: sim.id, source: .metadata, cause: cause, in: tx
        )
        return .success(binding)
    }

    /// The SIM of the gateway's account that the event's metadata names.
    private func simNamed(by hint: GatewayNotification.SimHint, gateway: PaymentGateway, in tx: StoreTransaction) async throws -> Result<Sim, GatewayPayloadError> {
        var filter = SimFilter(accountID: gateway.accountID)
        switch hint {
        case .iccid(let text):
            guard let iccid = try? ICCID(text) else { return .failure(GatewayPayloadError("Metadata iccid \(TextLimit.quoted(text, maximumLength: 32)) is not a valid ICCID.")) }
            filter.iccid = iccid
        case .imei(let text):
            guard let imei = try? IMEI(fromNetwork: text) else { return .failure(GatewayPayloadError("Metadata imei \(TextLimit.quoted(text, maximumLength: 32)) is not a valid IMEI.")) }
            filter.imei = imei
        }
        // A retired SIM takes no change (a payment for it was credited as if it had service);
        // its replacement, in the same device, is the one meant.
        var inService = filter
        inService.statuses = SimStatus.allCases.filter { $0 != .retired }
        if let sim = try await tx.sims.list(inService, PageRequest(limit: 1)).items.first { return .success(sim) }
        guard try await tx.sims.list(filter, PageRequest(limit: 1)).items.isEmpty else {
            return .failure(GatewayPayloadError("The SIM the metadata names (\(hint)) is RETIRED; no payment brings it back."))
        }
        return .failure(GatewayPayloadError("No SIM of this account matches the metadata \(hint)."))
    }
}
