import SimGateCore

extension EventType {
    /// A gateway subscription was tied to a SIM.
    static let billingBindingCreated = EventType(rawValue: "billing_binding.created")
    /// A binding's entitlement moved (paid_until, grace, end).
    static let billingBindingUpdated = EventType(rawValue: "billing_binding.updated")
    /// A binding was removed.
    static let billingBindingDeleted = EventType(rawValue: "billing_binding.deleted")
}

/// Job kinds of the payments feature.
enum PaymentJobs {
    /// Applies one stored gateway event; payload is its `gwe_` id.
    static let applyGatewayEvent = "gateway_event.apply"
    /// Re-evaluates one SIM's payment hold when its access ends; payload is its `sim_` id.
    static let evaluateSim = "payment.evaluate"
}
