import Foundation
import SimGateCore
import SimGateStore

/// Brings a SIM's state in line with what its subscriptions grant (``PaymentAccess``), inside
/// the caller's unit of work. While access lasts, a job is kept scheduled for the instant it
/// ends, so a lapse is caught with no webhook at all.
struct PaymentHoldEvaluator: Sendable {
    /// Applies the hold commands to SIMs, and tells the time.
    let sims: SimService

    /// Places or lifts the SIM's payment hold (and takes a paid-for SIM out of stock) as its
    /// bindings require; returns the SIM.
    @discardableResult
    func evaluate(_ simID: SimID, cause: ChangeCause, in tx: StoreTransaction) async throws -> Sim? {
        let now = sims.clock.now()
        guard var sim = try await tx.sims.find(simID, accountID: nil, forUpdate: true) else { return nil }
        let decision = try await Self.access(of: simID, in: tx).decision(for: sim, at: now)
        for command in decision.commands {
            sim = try await sims.commit(try sim.applying(command, at: now, cause: cause), cause: cause, in: tx)
        }
        if let end = decision.reevaluateAt {
            try await tx.jobs.enqueue(
                try NewJob(EvaluatePaymentJob(sim: simID), runAt: end, uniqueKey: "\(EvaluatePaymentJob.kind):\(simID):\(end.epochMilliseconds)"),
                now: now
            )
        }
        return sim
    }

    /// What the SIM's bindings grant, each read under its gateway's policy.
    static func access(of simID: SimID, in tx: StoreTransaction) async throws -> PaymentAccess {
        let bindings = try await tx.bindings.bindings(of: simID)
        return PaymentAccess(bindings, gateways: try await gateways(of: bindings, in: tx))
    }

    /// The gateways of `bindings`, each read once.
    static func gateways(of bindings: [BillingBinding], in tx: StoreTransaction) async throws -> [PaymentGatewayID: PaymentGateway] {
        var gateways: [PaymentGatewayID: PaymentGateway] = [:]
        for id in Set(bindings.map(\.gatewayID)) {
            gateways[id] = try await tx.gateways.find(id, accountID: nil)
        }
        return gateways
    }

    /// The job that re-evaluates a SIM when its access was due to end.
    var handler: JobHandler {
        JobHandler(EvaluatePaymentJob.self) { parameters, job in
            let cause = ChangeCause(actor: ChangeActor(.scheduler, id: job.id.rawValue), reason: parameters.reason ?? "paid period ended")
            _ = try await sims.store.transaction { tx in try await evaluate(parameters.sim, cause: cause, in: tx) }
        }
    }
}
