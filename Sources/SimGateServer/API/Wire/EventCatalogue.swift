import SimGateCore

extension EventType {
    /// Every event type SimGate writes today: what `type` filters may name. The set is open
    /// on the wire (clients must tolerate new types), but a filter for a type that does not
    /// exist is a typo, and refused rather than answered with an empty list.
    static let catalogue: Set<EventType> = [
        .simImported, .simAssigned, .simUnassigned, .simStatusChanged, .simHoldPlaced, .simHoldLifted, .simUpdated,
        .simFirstUse, .simLocationChanged, .simDeviceBound, .simDeviceChanged, .simSessionStopped, .simSessionDisconnected,
        .accountCreated, .accountUpdated, .apiKeyCreated, .apiKeyRevoked,
        .billingBindingCreated, .billingBindingUpdated, .billingBindingDeleted,
    ]
}
