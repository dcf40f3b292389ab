import Foundation
import SimGateCore
import SimGateStore

/// What can be done to SIMs, each in one unit of work with its events. Other features that
/// change SIMs (payments, usage) do it through ``commit(_:cause:in:)`` inside their own unit
/// of work, so a SIM is written, and its events made, in one place.
struct SimService: Sendable {
    /// SIMs written at a time by an import, between two progress reports.
    static let importPart = 10_000

    /// Most SIMs one import or bulk action takes.
    static let maximumBatch = 1_000

    /// Where SIMs and their events are kept.
    let store: Store
    /// The time written on changes and events.
    let clock: any WallClock
    /// Makes ids for new SIMs and events.
    let ids: IdentifierGenerator
    /// What else must happen when a SIM leaves a customer (its subscriptions go, for one).
    let handover: [any SimHandoverStep]

    /// A service with no handover steps unless `handover` names some.
    init(store: Store, clock: any WallClock, ids: IdentifierGenerator, handover: [any SimHandoverStep] = []) {
        self.store = store
        self.clock = clock
        self.ids = ids
        self.handover = handover
    }

    /// Builds the SIM events (the SIM's snapshot as the API shows it).
    var events: SimEvents { SimEvents(ids: ids) }

    /// Adds SIMs to stock, all or none, and returns them. `rows` are the well-formed rows with
    /// their position in the request; `knownIssues` the problems already found in the others.
    /// If there is any problem, or a row clashes with another or with a SIM already stored,
    /// nothing is imported and every problem is reported with its row.
    func importSims(
        _ rows: [IndexedNewSim], knownIssues: [DomainError] = [], accountID: AccountID?, cause: ChangeCause
    ) async throws -> [Sim] {
        try await importSims(rows, knownIssues: knownIssues, accountID: accountID, cause: cause, keepingCreated: true, progress: nil).created
    }

    /// As ``importSims(_:knownIssues:accountID:cause:)``, for a file of any size: returns how
    /// many SIMs it added rather than the SIMs, which are made and written part by part and
    /// not held in memory together (at a million, with the parsed file, that was a third of
    /// the command's peak memory). `progress` hears how many
    /// are written so far.
    func importStock(
        _ rows: [IndexedNewSim], knownIssues: [DomainError] = [], accountID: AccountID?, cause: ChangeCause,
        progress: (@Sendable (_ written: Int) -> Void)? = nil
    ) async throws -> Int {
        try await importSims(rows, knownIssues: knownIssues, accountID: accountID, cause: cause, keepingCreated: false, progress: progress).count
    }

    /// Issues in the order of their rows (`sims[2]` before `sims[10]`, as a file's lines are
    /// read; sorted as text, line 100,002 came before line 3), then by field.
    /// `issues` in row order (`sims[2]` before `sims[10]`), then by field; each param is read once.
    static func inRowOrder(_ issues: [DomainError]) -> [DomainError] {
        func row(_ param: String?) -> Int {
            guard let param, let open = param.firstIndex(of: "["), let close = param[open...].firstIndex(of: "]") else { return .max }
            return Int(param[param.index(after: open)..<close]) ?? .max
        }
        return issues.map { (row: row($0.param), param: $0.param ?? "", issue: $0) }
            .sorted { $0.row != $1.row ? $0.row < $1.row : $0.param < $1.param }
            .map(\.issue)
    }

    /// Most problems one refused import lists; the message counts them all.
    static let listedIssues = 1_000

    /// Throws `resource_missing` for an unknown account, or `import_rejected` with the first
    /// ``listedIssues`` of `knownIssues` and the rows' clashes with each other and with stored SIMs.
    private static func refuseConflicts(_ rows: [IndexedNewSim], knownIssues: [DomainError], accountID: AccountID?, in tx: StoreTransaction) async throws {
        if let accountID, try await tx.accounts.find(accountID) == nil {
            throw DomainError.notFound("account", param: "account")
        }
        let taken = try await tx.sims.takenIdentifiers(
            iccids: rows.map(\.sim.iccid.digits), imsis: rows.map(\.sim.imsi.digits), msisdns: rows.compactMap(\.sim.msisdn?.digits)
        )
        let issues = inRowOrder(knownIssues + SimImportConflicts.find(in: rows, taken: taken))
        guard issues.isEmpty else {
            let listed = issues.count > listedIssues ? "; the first \(listedIssues) are listed" : ""
            throw DomainError(
                .invalid, code: "import_rejected", message: "\(issues.count) problem(s) in the import; nothing was imported\(listed).",
                param: "sims", issues: Array(issues.prefix(listedIssues))
            )
        }
    }

    private func importSims(
        _ rows: [IndexedNewSim], knownIssues: [DomainError], accountID: AccountID?, cause: ChangeCause, keepingCreated: Bool,
        progress: (@Sendable (_ written: Int) -> Void)?
    ) async throws -> (count: Int, created: [Sim]) {
        let now = clock.now()
        // Refused already: the other problems are looked up without the write lock. Held for
        // the lookup of half a million bad rows, it kept every other write waiting 40 s.
        if !knownIssues.isEmpty {
            try await store.read { tx in try await Self.refuseConflicts(rows, knownIssues: knownIssues, accountID: accountID, in: tx) }
        }
        return try await store.transaction { tx in
            try await Self.refuseConflicts(rows, knownIssues: knownIssues, accountID: accountID, in: tx)
            var created: [Sim] = []
            // In parts, so that a large file's import can say how far it is (still one unit of work).
            for start in stride(from: 0, to: rows.count, by: Self.importPart) {
                let part = rows[start..<min(start + Self.importPart, rows.count)].map { row in
                    Sim(
                        id: ids.make(), iccid: row.sim.iccid, imsi: row.sim.imsi, msisdn: row.sim.msisdn, eid: row.sim.eid,
                        serialNumber: row.sim.serialNumber, accountID: accountID, labels: row.sim.labels, metadata: row.sim.metadata,
                        statusChangedAt: now, statusCause: cause, createdAt: now, updatedAt: now
                    )
                }
                try await tx.sims.insert(part)
                try await tx.events.append(try part.map {
                    try events.simEvent(.simImported, sim: $0, previousAttributes: nil, cause: cause, at: now)
                })
                if keepingCreated { created += part }
                progress?(start + part.count)
            }
            return (rows.count, created)
        }
    }

    /// Applies a lifecycle command to the SIM `reference` names, if `visibleAccountID` may see it.
    func perform(_ command: SimCommand, on reference: SimReference, visibleAccountID: AccountID?, cause: ChangeCause) async throws -> Sim {
        try await store.transaction { tx in
            let sim = try await load(reference, visibleAccountID: visibleAccountID, in: tx)
            return try await commit(try sim.applying(command, at: clock.now(), cause: cause), cause: cause, in: tx)
        }
    }

    /// Gives a SIM to `accountID` (operator only). A SIM already in use by another account
    /// must be unprovisioned first.
    func assign(_ reference: SimReference, to accountID: AccountID, cause: ChangeCause) async throws -> Sim {
        try await store.transaction { tx in
            guard try await tx.accounts.find(accountID) != nil else { throw DomainError.notFound("account", param: "account") }
            let sim = try await load(reference, visibleAccountID: nil, in: tx)
            return try await commit(try sim.assigning(to: accountID, at: clock.now(), cause: cause), cause: cause, in: tx)
        }
    }

    /// Takes a SIM back into the operator's stock: no account, INVENTORY, no holds.
    func unassign(_ reference: SimReference, cause: ChangeCause) async throws -> Sim {
        try await store.transaction { tx in
            let sim = try await load(reference, visibleAccountID: nil, in: tx)
            return try await commit(try sim.unassigning(at: clock.now(), cause: cause), cause: cause, in: tx)
        }
    }

    /// Replaces labels and merges metadata (an empty value removes a key); replaces the serial
    /// number when one is given. A retired SIM takes no change (`sim_retired`), as every other
    /// change refuses it.
    func update(
        _ reference: SimReference, labels: SimLabels?, metadataChanges: [String: String]?, serialNumber: String? = nil,
        visibleAccountID: AccountID?, cause: ChangeCause
    ) async throws -> Sim {
        try await store.transaction { tx in
            // The time is read inside the unit of work, as every other change reads it: read
            // before waiting for the writer, a label change queued behind a bulk suspend was
            // stamped before it, and `updated_at` went back.
            let now = clock.now()
            let previous = try await load(reference, visibleAccountID: visibleAccountID, in: tx)
            if previous.status == .retired {
                throw DomainError.simRetired
            }
            var sim = previous
            if let labels { sim.labels = labels }
            if let serialNumber { sim.serialNumber = serialNumber }
            if let metadataChanges {
                do throws(ValidationError) { sim.metadata = try previous.metadata.merging(metadataChanges) } catch { throw error.at("metadata") }
            }
            sim.updatedAt = now
            var changed: [String: JSONValue] = [:]
            if sim.labels != previous.labels { changed["labels"] = .array(previous.labels.values.map(JSONValue.string)) }
            if sim.metadata != previous.metadata { changed["metadata"] = .object(previous.metadata.values.mapValues(JSONValue.string)) }
            // Byte for byte, as the database and Cellhire requests compare them.
            if !sim.serialNumber.utf8.elementsEqual(previous.serialNumber.utf8) { changed["serial_number"] = .string(previous.serialNumber) }
            guard !changed.isEmpty else { return previous }
            try await save(sim, previous: previous, in: tx)
            try await tx.events.append([events.simEvent(.simUpdated, sim: sim, previousAttributes: changed, cause: cause, at: now)])
            return sim
        }
    }

    /// The SIM `reference` names, if `visibleAccountID` (when given) owns it.
    func find(_ reference: SimReference, visibleAccountID: AccountID?) async throws -> Sim {
        try await store.read { tx in try await load(reference, visibleAccountID: visibleAccountID, forUpdate: false, in: tx) }
    }

    /// One SIM, with what `extra` reads about it in the same read transaction (one trip to the
    /// database, and a view of both at one moment).
    func find<Extra: Sendable>(
        _ reference: SimReference, visibleAccountID: AccountID?, with extra: (Sim, StoreTransaction) async throws -> Extra
    ) async throws -> (Sim, Extra) {
        try await store.read { tx in
            let sim = try await load(reference, visibleAccountID: visibleAccountID, forUpdate: false, in: tx)
            return (sim, try await extra(sim, tx))
        }
    }

    /// One page of the SIMs `filter` selects.
    func list(_ filter: SimFilter, _ page: PageRequest) async throws -> Page<Sim> {
        try await store.read { tx in try await tx.sims.list(filter, page) }
    }
}
