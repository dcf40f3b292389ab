import Foundation
import SimGateCore
import SimGateStore
import SQLKit

/// What can be done to SIMs, each in one transaction with its events.
struct SimOperations: Sendable {
    /// Most SIMs one import or bulk action takes.
    static let maximumBatch = 1_000

    let database: SimGateDatabase
    let clock: any WallClock
    let ids: IdentifierGenerator
    let sims = SimStore()
    let events = EventStore()
    let accounts = AccountStore()
    var queue: JobQueue { JobQueue(database: database, ids: ids) }

    var eventFactory: EventFactory { EventFactory(ids: ids) }

    /// Adds SIMs to stock, all or none. `rows` are the well-formed rows with their position in
    /// the request; `knownIssues` the problems already found in the others. If there is any
    /// problem, or a row clashes with another or with a SIM already stored, nothing is imported
    /// and every problem is reported with its row.
    func importSims(_ rows: [IndexedNewSim], knownIssues: [DomainError] = [], accountID: AccountID?, cause: ChangeCause) async throws -> [Sim] {
        let now = clock.now()
        return try await database.transaction { db in
            if let accountID, try await accounts.find(accountID, on: db) == nil {
                throw DomainError.notFound("account", param: "account")
            }
            let taken = try await sims.takenIdentifiers(
                iccids: rows.map(\.sim.iccid.digits), imsis: rows.map(\.sim.imsi.digits), msisdns: rows.compactMap(\.sim.msisdn?.digits), on: db
            )
            let issues = (knownIssues + SimImportConflicts.find(in: rows, taken: taken)).sorted { ($0.param ?? "") < ($1.param ?? "") }
            guard issues.isEmpty else {
                throw DomainError(.invalid, code: "import_rejected", message: "\(issues.count) problem(s) in the import; nothing was imported.", param: "sims", issues: issues)
            }
            let created = rows.map(\.sim).map { row in
                Sim(
                    id: ids.make(), iccid: row.iccid, imsi: row.imsi, msisdn: row.msisdn, eid: row.eid, serialNumber: row.serialNumber,
                    accountID: accountID, labels: row.labels, metadata: row.metadata,
                    statusChangedAt: now, statusCause: cause, createdAt: now, updatedAt: now
                )
            }
            try await sims.insert(created, on: db)
            try await events.append(try created.map {
                try eventFactory.simEvent(.simImported, sim: $0, previousAttributes: nil, cause: cause, at: now)
            }, on: db)
            return created
        }
    }

    /// Applies a lifecycle command to the SIM `reference` names, if `visibleAccountID` may see it.
    func perform(_ command: SimCommand, on reference: SimReference, visibleAccountID: AccountID?, cause: ChangeCause) async throws -> Sim {
        try await database.transaction { db in
            let sim = try await load(reference, visibleAccountID: visibleAccountID, on: db)
            return try await apply(command, to: sim, cause: cause, on: db)
        }
    }

    /// Gives a SIM to `accountID` (operator only). A SIM already in use by another account
    /// must be unprovisioned first.
    func assign(_ reference: SimReference, to accountID: AccountID, cause: ChangeCause) async throws -> Sim {
        try await database.transaction { db in
            guard try await accounts.find(accountID, on: db) != nil else { throw DomainError.notFound("account", param: "account") }
            let sim = try await load(reference, visibleAccountID: nil, on: db)
            return try await assign(sim, to: accountID, cause: cause, on: db)
        }
    }

    /// Takes a SIM back into the operator's stock: no account, INVENTORY, no holds.
    func unassign(_ reference: SimReference, cause: ChangeCause) async throws -> Sim {
        try await database.transaction { db in
            let sim = try await load(reference, visibleAccountID: nil, on: db)
            return try await unassign(sim, cause: cause, on: db)
        }
    }

    /// Replaces labels and merges metadata (an empty value removes a key).
    func update(_ reference: SimReference, labels: SimLabels?, metadataChanges: [String: String]?, visibleAccountID: AccountID?, cause: ChangeCause) async throws -> Sim {
        let now = clock.now()
        return try await database.transaction { db in
            let previous = try await load(reference, visibleAccountID: visibleAccountID, on: db)
            var sim = previous
            if let labels { sim.labels = labels }
            if let metadataChanges {
                do throws(ValidationError) { sim.metadata = try previous.metadata.merging(metadataChanges) } catch { throw error.at("metadata") }
            }
            guard sim != previous else { return previous }
            sim.updatedAt = now
            var changed: [String: JSONValue] = [:]
            if sim.labels != previous.labels { changed["labels"] = .array(previous.labels.values.map(JSONValue.string)) }
            if sim.metadata != previous.metadata { changed["metadata"] = .object(previous.metadata.values.mapValues(JSONValue.string)) }
            try await persist(sim, previous: previous, on: db)
            try await events.append([eventFactory.simEvent(.simUpdated, sim: sim, previousAttributes: changed, cause: cause, at: now)], on: db)
            return sim
        }
    }

    func find(_ reference: SimReference, visibleAccountID: AccountID?) async throws -> Sim {
        try await database.read { try await load(reference, visibleAccountID: visibleAccountID, on: $0) }
    }

    func list(_ filter: SimFilter, _ page: PageRequest) async throws -> Page<Sim> {
        try await database.read { try await sims.list(filter, page, on: $0) }
    }
}
