/// The type of an event, like `sim.status_changed`. Open: later features add their own.
public struct EventType: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
    /// The dotted wire name, e.g. `sim.status_changed`.
    public let rawValue: String
    /// Wraps any wire name; names outside ``catalogue`` are allowed, as the set is open.
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// A SIM entered the stock.
    public static let simImported = EventType(rawValue: "sim.imported")
    /// A SIM was assigned to a customer account.
    public static let simAssigned = EventType(rawValue: "sim.assigned")
    /// A SIM was taken back from a customer account into the operator's stock.
    public static let simUnassigned = EventType(rawValue: "sim.unassigned")
    /// A SIM's status changed.
    public static let simStatusChanged = EventType(rawValue: "sim.status_changed")
    /// A hold was placed on a SIM.
    public static let simHoldPlaced = EventType(rawValue: "sim.hold_placed")
    /// A hold on a SIM was lifted.
    public static let simHoldLifted = EventType(rawValue: "sim.hold_lifted")
    /// A SIM's labels, metadata or AOFU shutdown threshold changed.
    public static let simUpdated = EventType(rawValue: "sim.updated")
    /// A customer account was created.
    public static let accountCreated = EventType(rawValue: "account.created")
    /// An account's name or settings changed.
    public static let accountUpdated = EventType(rawValue: "account.updated")
    /// An API key was created.
    public static let apiKeyCreated = EventType(rawValue: "api_key.created")
    /// An API key was revoked.
    public static let apiKeyRevoked = EventType(rawValue: "api_key.revoked")
    /// One of the SIM's data sessions ended: a Stop from the gateway, or the gateway's
    /// Accounting-On/Off closing all it had. The cause names the session and the gateway.
    public static let simSessionStopped = EventType(rawValue: "sim.session_stopped")
    /// SimGate asked a gateway to end one of the SIM's data sessions; the cause says how it answered.
    public static let simSessionDisconnected = EventType(rawValue: "sim.session_disconnected")
    /// A gateway subscription was tied to a SIM.
    public static let billingBindingCreated = EventType(rawValue: "billing_binding.created")
    /// A binding's entitlement moved (paid_until, grace, end).
    public static let billingBindingUpdated = EventType(rawValue: "billing_binding.updated")
    /// A binding was removed.
    public static let billingBindingDeleted = EventType(rawValue: "billing_binding.deleted")
    /// A SIM passed data for the first time.
    public static let simFirstUse = EventType(rawValue: "sim.first_use")
    /// A SIM is served by another network (and maybe country) than before.
    public static let simLocationChanged = EventType(rawValue: "sim.location_changed")
    /// The first device a SIM was seen in is now its bound IMEI.
    public static let simDeviceBound = EventType(rawValue: "sim.device_bound")
    /// A SIM turned up in another device than the one it was last seen in.
    public static let simDeviceChanged = EventType(rawValue: "sim.device_changed")

    /// A SIM was put on a tariff (and provisioned); the object shows the tariff and any bundle.
    public static let simTariffSet = EventType(rawValue: "sim.tariff_set")
    /// An AOFU SIM's shutdown was scheduled (first use, or a new threshold); the object has `shutdown_at`.
    public static let simShutdownScheduled = EventType(rawValue: "sim.shutdown_scheduled")
    /// An AOFU SIM was unprovisioned because its shutdown fell due.
    public static let simUnprovisioned = EventType(rawValue: "sim.unprovisioned")
    /// An AOFU SIM's bundle was topped up; the object shows the bundle after it.
    public static let simBundleToppedUp = EventType(rawValue: "sim.bundle_topped_up")

    /// OAuth client credentials for the Cellhire-compatible API were issued.
    public static let apiClientCreated = EventType(rawValue: "api_client.created")
    /// OAuth client credentials were revoked; their tokens stopped working.
    public static let apiClientRevoked = EventType(rawValue: "api_client.revoked")

    /// A data session of the SIM opened; the object is the session (network, RAT, device).
    public static let simSessionStarted = EventType(rawValue: "sim.session_started")
    /// A payment for a bound subscription failed; the object is the billing binding.
    public static let billingBindingPaymentFailed = EventType(rawValue: "billing_binding.payment_failed")

    /// An automation rule fired for a SIM; the object names the rule, the SIM, what matched
    /// and each action with its outcome.
    public static let ruleTriggered = EventType(rawValue: "rule.triggered")
    /// A delayed action of a rule ran; the object says what it did.
    public static let ruleActionRan = EventType(rawValue: "rule.action_ran")
    /// A rule was created.
    public static let ruleCreated = EventType(rawValue: "rule.created")
    /// A rule changed (or was turned on or off).
    public static let ruleUpdated = EventType(rawValue: "rule.updated")
    /// A rule was deleted.
    public static let ruleDeleted = EventType(rawValue: "rule.deleted")
    /// A webhook endpoint was created.
    public static let webhookEndpointCreated = EventType(rawValue: "webhook_endpoint.created")
    /// A webhook endpoint changed, was re-enabled, or had its secret rolled.
    public static let webhookEndpointUpdated = EventType(rawValue: "webhook_endpoint.updated")
    /// SimGate disabled a webhook endpoint (410 Gone, or days of failures); the object says why.
    public static let webhookEndpointDisabled = EventType(rawValue: "webhook_endpoint.disabled")
    /// A webhook endpoint was deleted.
    public static let webhookEndpointDeleted = EventType(rawValue: "webhook_endpoint.deleted")
    /// A closed month's statement was frozen; the object is its summary (totals, tariffs, savings).
    public static let statementFrozen = EventType(rawValue: "statement.frozen")

    /// Every event type SimGate writes today: what `type` filters may name. The set is open
    /// on the wire (clients must tolerate new types), but a filter for a type that does not
    /// exist is a typo, and refused rather than answered with an empty list.
    public static let catalogue: Set<EventType> = [
        .simImported, .simAssigned, .simUnassigned, .simStatusChanged, .simHoldPlaced, .simHoldLifted, .simUpdated,
        .simFirstUse, .simLocationChanged, .simDeviceBound, .simDeviceChanged, .simSessionStopped, .simSessionDisconnected,
        .accountCreated, .accountUpdated, .apiKeyCreated, .apiKeyRevoked,
        .billingBindingCreated, .billingBindingUpdated, .billingBindingDeleted,
        .simTariffSet, .simShutdownScheduled, .simUnprovisioned, .simBundleToppedUp, .apiClientCreated, .apiClientRevoked,
        .simSessionStarted, .billingBindingPaymentFailed, .ruleTriggered, .ruleActionRan, .ruleCreated, .ruleUpdated, .ruleDeleted,
        .webhookEndpointCreated, .webhookEndpointUpdated, .webhookEndpointDisabled, .webhookEndpointDeleted, .statementFrozen,
    ]
}
