import Foundation
import SimGateCore
import SimGateStore

/// An action applied to many SIMs at once.
enum BulkSimAction: String, Sendable, CaseIterable {
    case activate, suspend, unprovision, retire, assign, unassign

    /// Whether only the operator may request it.
    var isOperatorOnly: Bool { self == .assign || self == .unassign }
}

/// What happened to one SIM of a bulk action.
struct BulkOutcome: Sendable {
    let iccid: ICCID
    let result: Result<Sim, DomainError>
}

extension SimOperations {
    /// Applies `action` to each listed SIM in one transaction. Each SIM succeeds or fails on its
    /// own; a failure (unknown SIM, forbidden transition) changes nothing for that SIM only.
    func bulk(
        _ action: BulkSimAction, iccids: [ICCID], force: Bool, authority: SimAuthority, accountID: AccountID?,
        visibleAccountID: AccountID?, cause: ChangeCause
    ) async throws -> [BulkOutcome] {
        try await database.transaction { db in
            if let accountID, try await accounts.find(accountID, on: db) == nil {
                throw DomainError.notFound("account", param: "account")
            }
            let found = try await sims.find(iccids: iccids, accountID: visibleAccountID, forUpdate: true, on: db)
            var outcomes: [BulkOutcome] = []
            for iccid in iccids {
                guard let sim = found[iccid] else {
                    outcomes.append(BulkOutcome(iccid: iccid, result: .failure(.notFound("SIM"))))
                    continue
                }
                do {
                    let updated: Sim
                    switch action {
                    case .activate: updated = try await apply(.activate(force: force, by: authority), to: sim, cause: cause, on: db)
                    case .suspend: updated = try await apply(.suspend(by: authority), to: sim, cause: cause, on: db)
                    case .unprovision: updated = try await apply(.unprovision, to: sim, cause: cause, on: db)
                    case .retire: updated = try await apply(.retire, to: sim, cause: cause, on: db)
                    case .assign:
                        guard let accountID else {
                            throw DomainError(.invalid, code: "parameter_missing", message: "assign needs an account.", param: "account")
                        }
                        updated = try await assign(sim, to: accountID, cause: cause, on: db)
                    case .unassign: updated = try await unassign(sim, cause: cause, on: db)
                    }
                    outcomes.append(BulkOutcome(iccid: iccid, result: .success(updated)))
                } catch let error as DomainError {
                    outcomes.append(BulkOutcome(iccid: iccid, result: .failure(error)))
                }
            }
            return outcomes
        }
    }
}
