import Foundation
import SimGateCore
import SimGateStore
import SQLKit

/// Turns a SIM's entitlements into its `payment` hold, inside the caller's transaction.
///
/// The hold is in force exactly when now >= the latest access end over the SIM's bindings.
/// A SIM in stock becomes LIVE on its first paid period. While access lasts, a job is kept
/// scheduled for the instant it ends, so a lapse is caught with no webhook at all.
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
        guard let accessEnd = try await accessEnd(of: simID, on: db) else {
            return try await sims.apply(.liftHold(.payment), to: sim, cause: cause, on: db)
        }
        if now >= accessEnd {
            sim = try await sims.apply(.placeHold(.payment), to: sim, cause: cause, on: db)
        } else {
            sim = try await sims.apply(.liftHold(.payment), to: sim, cause: cause, on: db)
            if sim.status == .inventory, sim.state.holds.isEmpty {
                sim = try await sims.apply(.activate(force: false), to: sim, cause: cause, on: db)
            }
            try await queue.enqueue(
                NewJob(kind: PaymentJobs.evaluateSim, payload: simID.rawValue, runAt: accessEnd,
                       uniqueKey: "\(PaymentJobs.evaluateSim):\(simID):\(accessEnd.epochMilliseconds)"),
                now: now, on: db
            )
        }
        return sim
    }

    /// The latest instant any binding of the SIM grants data until; `nil` if none has a fact yet.
    func accessEnd(of simID: SimID, on db: any SQLDatabase) async throws -> Date? {
        var latest: Date?
        for binding in try await bindings.bindings(of: simID, on: db) {
            guard let gateway = try await gateways.find(binding.gatewayID, accountID: nil, on: db),
                  let end = binding.entitlement.accessEnds(under: gateway.cancellation)
            else { continue }
            latest = max(latest ?? end, end)
        }
        return latest
    }
}

extension PaymentHoldEvaluator {
    /// The job that re-evaluates a SIM when its access was due to end.
    var handler: JobHandler {
        JobHandler(kind: PaymentJobs.evaluateSim) { job in
            let cause = ChangeCause(actor: ChangeActor(.scheduler, id: job.id.rawValue), reason: "paid period ended")
            _ = try await sims.database.transaction { db in
                try await evaluate(SimID(trusted: job.payload), cause: cause, on: db)
            }
        }
    }
}
