import Foundation
import SimGateCore
import SimGateStore

// Every kind of durable job SimGate queues, in one place: the feature that queues a job and
// the one that runs it both name it here, so neither needs the other.

/// Disconnects a SIM's open data sessions after it left LIVE (run by the network gate).
struct DisconnectJob: JobParameters {
    /// This job's name in the jobs table.
    static let kind = "radius.disconnect"
    /// The SIM whose sessions to end.
    let sim: SimID
    /// How many times a batch found a gateway silent for this SIM before (absent: never).
    var retry: Int? = nil

    /// The job for `simID`'s sessions; one waits at a time per SIM.
    static func job(for simID: SimID, at time: Date, retry: Int? = nil) throws -> NewJob {
        try NewJob(DisconnectJob(sim: simID, retry: retry), runAt: time, uniqueKey: "\(kind):\(simID)", maxAttempts: 3)
    }
}

/// Applies one stored gateway event (run by payments).
struct ApplyGatewayEventJob: JobParameters {
    /// This job's name in the jobs table.
    static let kind = "gateway_event.apply"
    /// The stored gateway event to apply.
    let gatewayEvent: GatewayEventID

    /// The payload's JSON field names.
    enum CodingKeys: String, CodingKey { case gatewayEvent = "gateway_event" }
}

/// Looks at a SIM's payment state again when its access was due to end (run by payments).
struct EvaluatePaymentJob: JobParameters {
    /// This job's name in the jobs table.
    static let kind = "payment.evaluate"
    /// The SIM whose payment state to look at.
    let sim: SimID
    /// Why, when it is not that access was due to end (jobs stored without one are that).
    var reason: String? = nil
}

/// Forgets idempotency keys older than a day, then queues its next hourly run (run by HTTP).
struct PurgeJob: JobParameters {
    /// This job's name in the jobs table.
    static let kind = "idempotency_keys.purge"
}

/// Unprovisions an AOFU SIM whose shutdown fell due (run by AOFU). `due` is the shutdown it
/// was queued for: a job whose SIM has since been given another shutdown does nothing.
struct AOFUShutdownJob: JobParameters {
    /// The stored job kind.
    static let kind = "aofu.shutdown"
    /// The SIM to unprovision.
    let sim: SimID
    /// The shutdown instant the job was queued for, in milliseconds since 1970.
    let due: Int64

    /// The job for `sim`'s shutdown at `shutdownAt`, run then or, if that is past, at `now`.
    static func job(for sim: SimID, shutdownAt: Date, now: Date) throws -> NewJob {
        let due = shutdownAt.epochMilliseconds
        return try NewJob(AOFUShutdownJob(sim: sim, due: due), runAt: max(shutdownAt, now), uniqueKey: "\(kind):\(sim):\(due)")
    }
}

/// Carries out one accepted submission of the Cellhire-compatible API (run by Cellhire).
struct SubmissionJob: JobParameters {
    /// The stored job kind.
    static let kind = "submission.run"
    /// The ticket number.
    let ticket: String
}

/// Carries out the actions of one rule firing (run by automation): the firing was decided and
/// remembered in the unit of work that saw the fact; this does what the rule says.
struct RuleFireJob: JobParameters {
    /// The stored job kind.
    static let kind = "rule.fire"
    /// The rule that fired.
    let rule: RuleID
    /// The SIM it fired for.
    let sim: SimID
    /// The event that set it off, when one did.
    let event: EventID?
    /// What the trigger matched.
    let matched: [String: String]
}

/// One action of a rule, due some time after the rule fired (run by automation).
struct RuleActionJob: JobParameters {
    /// The stored job kind.
    static let kind = "rule.action"
    /// The rule whose action it is.
    let rule: RuleID
    /// The SIM it acts on.
    let sim: SimID
    /// The `rule.triggered` event of the firing.
    let firing: EventID
    /// The action's type (`set_offline`).
    let type: String
    /// The endpoint of a webhook action.
    let endpoint: WebhookEndpointID?
    /// The bytes of a top-up action.
    let bytes: UInt64?
    /// When the action was due, which dates its `rule.action_ran` event's id; `nil` in jobs
    /// queued before it was kept.
    var dueAt: Date? = nil
}

/// Looks for SIMs that passed no data for as long as a `no_data` rule says, then queues its
/// next run (run by automation, every 15 minutes).
struct IdleScanJob: JobParameters {
    /// The stored job kind.
    static let kind = "rule.idle_scan"
}

/// Forgets webhook deliveries that ended more than 30 days ago, then queues its next daily
/// run (run by webhooks).
struct WebhookRetentionJob: JobParameters {
    /// The stored job kind.
    static let kind = "webhook_deliveries.purge"
}

/// Makes the coming months' partitions of usage records and drops those past retention,
/// then queues its next daily run (PostgreSQL; run by usage).
struct UsagePartitionJob: JobParameters {
    /// The stored job kind.
    static let kind = "usage.partitions"
}

/// Freezes the statements of the month before, for every account that held SIMs in it, once
/// the month has been over for the freeze delay (run by costs).
struct StatementFreezeJob: JobParameters {
    /// The stored job kind.
    static let kind = "statements.freeze"
}
