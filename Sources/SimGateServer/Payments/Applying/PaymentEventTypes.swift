import SimGateCore

extension EventType {
    /// A gateway subscription was tied to a SIM.
    static let billingBindingCreated = EventType(rawValue: "billing_binding.created")
    /// A binding's entitlement moved (paid_until, grace, end).
    static let billingBindingUpdated = EventType(rawValue: "billing_binding.updated")
    /// A binding was removed.
    static let billingBindingDeleted = EventType(rawValue: "billing_binding.deleted")
}
