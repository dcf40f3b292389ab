import Foundation
import SimGateCore
import SimGateStore
import SQLKit

/// Creating and removing bindings, shared by the API and by metadata in gateway events.
enum BillingBindingOperations {
    /// Binds `subscriptionID` of `gateway` to a SIM inside the caller's transaction, records
    /// the event, and queues every event of that subscription that arrived before its binding.
    /// If the subscription is already bound (a concurrent request won), returns that binding.
    static func create(
        gateway: PaymentGateway, subscriptionID: String, simID: SimID, source: BillingBinding.Source,
        sims: SimOperations, queue: JobQueue, cause: ChangeCause, on db: any SQLDatabase
    ) async throws -> BillingBinding {
        let now = sims.clock.now()
        let store = BillingBindingStore()
        let binding = BillingBinding(
            id: sims.ids.make(), accountID: gateway.accountID, gatewayID: gateway.id, subscriptionID: subscriptionID, simID: simID,
            entitlement: Entitlement(), source: source, createdAt: now, updatedAt: now
        )
        guard try await store.insert(binding, on: db) else {
            guard let existing = try await store.find(gatewayID: gateway.id, subscriptionID: subscriptionID, on: db) else {
                throw DomainError(.conflict, code: "binding_conflict", message: "The subscription is being bound by another request; try again.")
            }
            return existing
        }
        try await sims.events.append([try BillingBindingEvents.created(binding, gateway: gateway, factory: sims.eventFactory, cause: cause, at: now)], on: db)
        for waiting in try await GatewayEventStore().unbound(gatewayID: gateway.id, subscriptionID: subscriptionID, on: db) {
            try await queue.enqueue(try NewJob(ApplyGatewayEventJob(gatewayEvent: waiting.id), runAt: now), now: now, on: db)
        }
        return binding
    }
}

/// The events that record a binding's life, with the binding as their object.
enum BillingBindingEvents {
    static func created(_ binding: BillingBinding, gateway: PaymentGateway, factory: EventFactory, cause: ChangeCause, at time: Date) throws -> Event {
        try event(.billingBindingCreated, binding, gateway: gateway, previous: nil, factory: factory, cause: cause, at: time)
    }

    static func updated(_ binding: BillingBinding, previous: BillingBinding, gateway: PaymentGateway, factory: EventFactory, cause: ChangeCause, at time: Date) throws -> Event {
        func value(_ date: Date?) -> JSONValue { date.map { .string(RFC3339.string(from: $0)) } ?? .null }
        var changed: [String: JSONValue] = [:]
        if binding.entitlement.paidUntil != previous.entitlement.paidUntil { changed["paid_until"] = value(previous.entitlement.paidUntil) }
        let grace = gateway.graceLength
        if binding.entitlement.graceUntil(grace: grace) != previous.entitlement.graceUntil(grace: grace) {
            changed["grace_until"] = value(previous.entitlement.graceUntil(grace: grace))
        }
        if binding.entitlement.endedAt != previous.entitlement.endedAt { changed["ended_at"] = value(previous.entitlement.endedAt) }
        return try event(.billingBindingUpdated, binding, gateway: gateway, previous: changed, factory: factory, cause: cause, at: time)
    }

    static func deleted(_ binding: BillingBinding, gateway: PaymentGateway, factory: EventFactory, cause: ChangeCause, at time: Date) throws -> Event {
        try event(.billingBindingDeleted, binding, gateway: gateway, previous: nil, factory: factory, cause: cause, at: time)
    }

    private static func event(
        _ type: EventType, _ binding: BillingBinding, gateway: PaymentGateway, previous: [String: JSONValue]?,
        factory: EventFactory, cause: ChangeCause, at time: Date
    ) throws -> Event {
        Event(
            id: factory.ids.make(), type: type, accountID: binding.accountID, simID: binding.simID,
            object: try APIJSON.encodeToString(BillingBindingResource(binding, gateway: gateway)),
            previousAttributes: try previous.map { try APIJSON.encodeToString($0) }, cause: cause, createdAt: time
        )
    }
}
