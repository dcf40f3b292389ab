import Foundation
import SimGateCore
import SimGateStore

/// An action applied to many SIMs at once.
enum BulkSimAction: String, Sendable, CaseIterable {
    /// The single-SIM actions of the same names; `assign` needs an account.
    case activate, suspend, unprovision, retire, assign, unassign

    /// Whether only the operator may request it.
    var isOperatorOnly: Bool { self == .assign || self == .unassign }
}

/// What happened to one SIM of a bulk action.
struct BulkOutcome: Sendable {
    /// The SIM as the request named it.
    let iccid: ICCID
    /// The SIM after the action, or why it was refused.
    let result: Result<Sim, DomainError>
}

extension SimService {
    /// Applies `action` to each listed SIM in one transaction. Each SIM succeeds or fails on its
    /// own; a failure (unknown SIM, forbidden transition) changes nothing for that SIM only.
    func bulk(
        _ action: BulkSimAction, iccids: [ICCID], force: Bool, authority: SimAuthority, accountID: AccountID?,
        visibleAccountID: AccountID?, cause: ChangeCause
    ) async throws -> [BulkOutcome] {
        try await store.transaction { tx in
            // Another account is, to a customer, one that does not exist: answered alike, so a
            // customer cannot learn which account ids are real.
            if let accountID, visibleAccountID.map({ $0 != accountID }) ?? false {
                throw DomainError.notFound("account", param: "account")
            }
            if let accountID, try await tx.accounts.find(accountID) == nil {
                throw DomainError.notFound("account", param: "account")
            }
            let found = try await tx.sims.find(iccids: iccids, accountID: visibleAccountID, forUpdate: true)
            var outcomes: [BulkOutcome] = []
            // Updates that keep the SIM with its owner are written together at the end: their
            // saves, events and disconnect jobs in a few statements, not several per SIM (one
            // query for open sessions each, before). Handovers run their steps one by one.
            var kept: [(update: SimUpdate, cause: ChangeCause)] = []
            for iccid in iccids {
                guard let sim = found[iccid] else {
                    outcomes.append(BulkOutcome(iccid: iccid, result: .failure(.notFound("SIM"))))
                    continue
                }
                do {
                    let now = clock.now()
                    let update: SimUpdate = switch action {
                    case .activate: try sim.applying(.activate(force: force, by: authority), at: now, cause: cause)
                    case .suspend: try sim.applying(.suspend(by: authority), at: now, cause: cause)
                    case .unprovision: try sim.applying(.unprovision, at: now, cause: cause)
                    case .retire: try sim.applying(.retire, at: now, cause: cause)
                    case .assign:
                        if let accountID {
                            try sim.assigning(to: accountID, at: now, cause: cause)
                        } else {
                            throw DomainError(.invalid, code: "parameter_missing", message: "assign needs an account.", param: "account")
                        }
                    case .unassign: try sim.unassigning(at: now, cause: cause)
                    }
                    if update.formerCustomer == nil {
                        kept.append((update, cause))
                        outcomes.append(BulkOutcome(iccid: iccid, result: .success(update.sim)))
                    } else {
                        let updated = try await commit(update, cause: cause, in: tx)
                        outcomes.append(BulkOutcome(iccid: iccid, result: .success(updated)))
                    }
                } catch let error as DomainError {
                    outcomes.append(BulkOutcome(iccid: iccid, result: .failure(error)))
                }
            }
            try await commitAll(kept, extraEvents: { _, _, _ in [] }, in: tx)
            return outcomes
        }
    }
}
