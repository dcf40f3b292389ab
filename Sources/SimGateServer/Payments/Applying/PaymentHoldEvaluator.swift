import Foundation
import SimGateCore
import SimGateStore
import SQLKit

/// Turns a SIM's entitlements into its state, inside the caller's transaction.
///
/// The state is a function of the set of facts, never of their order:
/// - a SIM with any paid period (or trial) is provisioned: a SIM in stock leaves INVENTORY;
/// - the `payment` hold is in force exactly when now >= the latest access end over the
///   SIM's bindings, and a provisioned SIM with it is OFFLINE;
/// - a SIM never paid for stays in stock, and stock carries no payment hold.
/// While access lasts, a job is kept scheduled for the instant it ends, so a lapse is caught
/// with no webhook at all.
struct PaymentHoldEvaluator: Sendable {
    let sims: SimOperations
    let queue: JobQueue
    let bindings = BillingBindingStore()
    let gateways = PaymentGatewayStore()

    /// Places or lifts the SIM's payment hold as its bindings require; returns the SIM.
    /// With no payment fact left (say, its last binding was deleted) payments have no say,
    /// and a payment hold still in force is lifted.
    @discardableResult
    func evaluate(_ simID: SimID, cause: ChangeCause, on db: any SQLDatabase) async throws -> Sim? {
        let now = sims.clock.now()
        guard var sim = try await sims.sims.find(simID, accountID: nil, forUpdate: true, on: db), sim.status != .retired else { return nil }
        guard let access = try await access(of: simID, on: db) else {
            return try await sims.apply(.liftHold(.payment), to: sim, cause: cause, on: db)
        }
        if sim.status == .inventory, !access.paid {
            return try await sims.apply(.liftHold(.payment), to: sim, cause: cause, on: db)
        }
        let lapsed = now >= access.ends
        sim = try await sims.apply(lapsed ? .placeHold(.payment) : .liftHold(.payment), to: sim, cause: cause, on: db)
        if sim.status == .inventory, sim.accountID != nil {
            // Paid for: out of stock, LIVE or (with any hold in force) OFFLINE.
            sim = try await sims.apply(.provision, to: sim, cause: cause, on: db)
        }
        if !lapsed {
            try await queue.enqueue(
                try NewJob(EvaluatePaymentJob(sim: simID), runAt: access.ends,
                           uniqueKey: "\(EvaluatePaymentJob.kind):\(simID):\(access.ends.epochMilliseconds)"),
                now: now, on: db
            )
        }
        return sim
    }

    /// Over the SIM's bindings: the latest instant any grants data until, and whether any
    /// period was ever paid; `nil` if no binding has a fact yet.
    func access(of simID: SimID, on db: any SQLDatabase) async throws -> (ends: Date, paid: Bool)? {
        var latest: Date?
        var paid = false
        for binding in try await bindings.bindings(of: simID, on: db) {
            guard let gateway = try await gateways.find(binding.gatewayID, accountID: nil, on: db),
                  let end = binding.entitlement.accessEnds(under: gateway.cancellation, grace: gateway.graceLength)
            else { continue }
            latest = max(latest ?? end, end)
            paid = paid || binding.entitlement.hasPaidPeriod
        }
        return latest.map { ($0, paid) }
    }
}

extension PaymentHoldEvaluator {
    /// The job that re-evaluates a SIM when its access was due to end.
    var handler: JobHandler {
        JobHandler(EvaluatePaymentJob.self) { parameters, job in
            let cause = ChangeCause(actor: ChangeActor(.scheduler, id: job.id.rawValue), reason: "paid period ended")
            _ = try await sims.database.transaction { db in
                try await evaluate(parameters.sim, cause: cause, on: db)
            }
        }
    }
}
