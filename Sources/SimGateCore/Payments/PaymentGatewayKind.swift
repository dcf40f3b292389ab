/// The payment services SimGate takes subscription events from.
public enum PaymentGatewayKind: String, Sendable, CaseIterable {
    /// Stripe: `Stripe-Signature` HMAC-SHA256 over `"<t>.<body>"`.
    case stripe
    /// Braintree: form POST with `bt_signature` (HMAC-SHA1) and `bt_payload` (base64 XML).
    case braintree
    /// Any other method, sending Standard Webhooks signed JSON.
    case generic
}

/// What a cancelled subscription means for its SIM.
public enum CancellationPolicy: String, Sendable, CaseIterable {
    /// Data stops when the cancellation arrives.
    case immediately
    /// Data runs to the end of the period already paid, then stops (no grace).
    case endOfPeriod = "end_of_period"
}
