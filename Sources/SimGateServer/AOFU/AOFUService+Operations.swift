import Foundation
import SimGateCore
import SimGateStore

/// The AOFU steps as whole units of work, for callers that name SIMs by reference.
extension AOFUService {
    /// Puts the SIM `reference` names on tariff `number` and provisions it.
    func provision(
        _ reference: SimReference, tariff number: Int, threshold: ShutdownThreshold?, bundleBytes: UInt64?,
        visibleAccountID: AccountID?, cause: ChangeCause
    ) async throws -> Sim {
        try await sims.store.transaction { tx in
            let sim = try await sims.load(reference, visibleAccountID: visibleAccountID, in: tx)
            guard let tariff = try await tx.tariffs.find(number) else { throw DomainError.notFound("tariff", param: "tariff") }
            return try await provision(sim, on: tariff, threshold: threshold, bundleBytes: bundleBytes, cause: cause, in: tx)
        }
    }

    /// Sets the shutdown threshold of the SIM `reference` names.
    func configureThreshold(_ reference: SimReference, _ threshold: ShutdownThreshold, visibleAccountID: AccountID?, cause: ChangeCause) async throws -> Sim {
        try await sims.store.transaction { tx in
            try await configureThreshold(try await sims.load(reference, visibleAccountID: visibleAccountID, in: tx), threshold, cause: cause, in: tx)
        }
    }

    /// Tops up the bundle of the SIM `reference` names by `bytes`.
    func topUp(_ reference: SimReference, bytes: UInt64, visibleAccountID: AccountID?, cause: ChangeCause) async throws -> Sim {
        try await sims.store.transaction { tx in
            try await topUp(try await sims.load(reference, visibleAccountID: visibleAccountID, in: tx), bytes: bytes, cause: cause, in: tx)
        }
    }

    /// The SIM `reference` names with a page of its bundle history (up to `limit` changes
    /// after the one with id `after`), as `visibleAccountID` may see it, and whether more follow.
    func bundle(
        of reference: SimReference, visibleAccountID: AccountID?, after: String?, limit: Int
    ) async throws -> (sim: Sim, changes: [BundleChange], hasMore: Bool) {
        try await sims.store.read { tx in
            let sim = try await sims.load(reference, visibleAccountID: visibleAccountID, in: tx)
            var cursor: BundleChange?
            if let after {
                guard let found = try await tx.sims.bundleChange(after, of: sim.id, accountID: visibleAccountID) else {
                    throw DomainError(.invalid, code: "invalid_cursor", message: "'starting_after' names no change of this SIM's bundle history.", param: "starting_after")
                }
                cursor = found
            }
            let page = try await tx.sims.bundleChanges(of: sim.id, accountID: visibleAccountID, after: cursor, limit: limit)
            return (sim, page.changes, page.hasMore)
        }
    }
}
