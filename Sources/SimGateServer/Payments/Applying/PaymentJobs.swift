import SimGateCore

/// The job that applies one stored gateway event.
struct ApplyGatewayEventJob: JobParameters {
    static let kind = "gateway_event.apply"
    let gatewayEvent: GatewayEventID

    enum CodingKeys: String, CodingKey { case gatewayEvent = "gateway_event" }
}

/// The job that looks at a SIM's payment state again when its access was due to end.
struct EvaluatePaymentJob: JobParameters {
    static let kind = "payment.evaluate"
    let sim: SimID
}
