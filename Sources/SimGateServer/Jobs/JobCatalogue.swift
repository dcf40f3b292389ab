import Foundation
import SimGateCore
import SimGateStore

// Every kind of durable job SimGate queues, in one place: the feature that queues a job and
// the one that runs it both name it here, so neither needs the other.

/// Disconnects a SIM's open data sessions after it left LIVE (run by the network gate).
struct DisconnectJob: JobParameters {
    static let kind = "radius.disconnect"
    let sim: SimID

    /// The job for `simID`'s sessions; one waits at a time per SIM.
    static func job(for simID: SimID, at time: Date) throws -> NewJob {
        try NewJob(DisconnectJob(sim: simID), runAt: time, uniqueKey: "\(kind):\(simID)", maxAttempts: 3)
    }
}

/// Applies one stored gateway event (run by payments).
struct ApplyGatewayEventJob: JobParameters {
    static let kind = "gateway_event.apply"
    let gatewayEvent: GatewayEventID

    enum CodingKeys: String, CodingKey { case gatewayEvent = "gateway_event" }
}

/// Looks at a SIM's payment state again when its access was due to end (run by payments).
struct EvaluatePaymentJob: JobParameters {
    static let kind = "payment.evaluate"
    let sim: SimID
}

/// Forgets idempotency keys older than a day, then queues its next hourly run (run by HTTP).
struct PurgeJob: JobParameters {
    static let kind = "idempotency_keys.purge"
}
