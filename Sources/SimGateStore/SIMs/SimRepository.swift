import Foundation
import SimGateCore
import SQLKit

/// Reads and writes SIMs, their labels and their holds.
public struct SimRepository: Sendable {
    /// The `sims` insert, written as text once: a million-SIM import that built it through
    /// SQLKit's expression tree spent 8% of its time serialising it.
    private static let insertStatement = InsertStatement(into: "sims", columns: columns)

    /// The connection (inside its transaction) every query here runs on.
    let db: any SQLDatabase

    /// Inserts new SIMs (with their labels and holds) in multi-row statements.
    public func insert(_ sims: [Sim]) async throws {
        for sim in sims { try Self.refuseLiveWithHolds(sim) }
        try await Self.insertStatement.runInBulk(sims.map { Self.storedValues(of: $0).map(\.bindValue) }, on: db)
        try await insertLabels(sims.flatMap { sim in sim.labels.values.map { (sim.id, $0) } })
        try await insertHolds(sims.flatMap { sim in sim.state.holds.values.map { (sim.id, $0) } })
        try await periods.open(sims)
    }

    /// Writes the fields, labels and holds of `sim` that differ from `previous`, which must be
    /// the SIM as read in this same unit of work; a new owner, tariff, status or OFFLINE cause
    /// starts a new period at `sim.updatedAt`.
    public func save(_ sim: Sim, previous: Sim) async throws {
        try Self.refuseLiveWithHolds(sim)
        // Only the columns that changed are set: SQLite rewrites the entries of every index on
        // a column named in SET, changed or not, and `sims` has a dozen indexes while a
        // suspend changes two indexed columns' worth. `previous` is the row as read in this
        // same unit of work, so a column equal in both is the stored value.
        let values = Self.storedValues(of: sim), before = Self.storedValues(of: previous)
        // Written as text: this runs on the database's writer thread for every SIM write.
        var update = SQLText(for: db)
        update.append(#"UPDATE "sims" SET "#)
        var changed = false
        for index in Self.columns.indices where values[index] != before[index] && Self.columns[index] != "id" && Self.columns[index] != "created_at" {
            update.append((changed ? ", " : "") + Self.quotedNames[index] + " = ")
            update.bind(values[index].bindValue)
            changed = true
        }
        if changed {
            update.append(#" WHERE "id" = "#)
            update.bind(sim.id.rawValue)
            try await update.query(on: db).run()
        }

        let oldLabels = Set(previous.labels.values), newLabels = Set(sim.labels.values)
        let removedLabels = oldLabels.subtracting(newLabels)
        if !removedLabels.isEmpty {
            try await db.delete(from: "sim_labels").where("sim_id", .equal, sim.id.rawValue).where("label", .in, Array(removedLabels)).run()
        }
        try await insertLabels(newLabels.subtracting(oldLabels).sorted().map { (sim.id, $0) })

        let liftedCauses = Set(previous.state.holds.keys).subtracting(sim.state.holds.keys)
        if !liftedCauses.isEmpty {
            var delete = SQLText(for: db)
            delete.append(#"DELETE FROM "sim_holds" WHERE "sim_id" = "#)
            delete.bind(sim.id.rawValue)
            delete.append(#" AND "cause" IN "#)
            delete.bindList(liftedCauses.map(\.description).sorted())
            try await delete.query(on: db).run()
        }
        let placed = sim.state.holds.values.filter { previous.state.holds[$0.cause] == nil }
        try await insertHolds(placed.map { (sim.id, $0) })
        if sim.billingTerms != previous.billingTerms { try await periods.move([(sim.id, sim.billingTerms, sim.updatedAt)]) }
    }

    /// The SIMs' billing periods, which every write here keeps in step.
    var periods: SimPeriodRepository { SimPeriodRepository(db: db) }

    /// Reads skip the holds of LIVE SIMs, which have none (SimState: LIVE exactly when no hold
    /// is in force), so a LIVE SIM with holds must never be written: it would read back without
    /// them. The lifecycle never makes one; this keeps any other writer from doing so.
    private static func refuseLiveWithHolds(_ sim: Sim) throws {
        guard sim.status == .live, !sim.state.holds.isEmpty else { return }
        throw StoreError.corruptRow(table: "sims", column: "status", value: "LIVE with holds \(sim.state.holdCauses) on \(sim.id)")
    }

    private static let idColumn = QuotedIdentifier("id")
    private static let iccidColumn = QuotedIdentifier("iccid")

    /// The SIM with this id, if `accountID` (when given) owns it. With `forUpdate` the row is
    /// locked until the transaction ends (PostgreSQL; SQLite's write transaction already is).
    public func find(_ id: SimID, accountID: AccountID?, forUpdate: Bool = false) async throws -> Sim? {
        try await fetchOne(where: Self.idColumn, is: id.rawValue, accountID: accountID, forUpdate: forUpdate)
    }

    /// The SIMs with these ICCIDs that exist (and belong to `accountID` when given), by ICCID.
    public func find(iccids: [ICCID], accountID: AccountID?, forUpdate: Bool = false) async throws -> [ICCID: Sim] {
        guard !iccids.isEmpty else { return [:] }
        if iccids.count == 1, let iccid = iccids.first {
            return try await fetchOne(where: Self.iccidColumn, is: iccid.digits, accountID: accountID, forUpdate: forUpdate).map { [$0.iccid: $0] } ?? [:]
        }
        let sims = try await fetch(forUpdate: forUpdate) { query in
            var query = query.where("iccid", .in, iccids.map(\.digits))
            if let accountID { query = query.where("account_id", .equal, accountID.rawValue) }
            return query
        }
        return Dictionary(sims.map { ($0.iccid, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The SIMs with these stock serial numbers that belong to `accountID`, by serial number.
    /// Serial numbers are not unique, so each maps to every SIM that carries it.
    public func find(serialNumbers: [String], accountID: AccountID, forUpdate: Bool = false) async throws -> [String: [Sim]] {
        guard !serialNumbers.isEmpty else { return [:] }
        let sims = try await fetch(forUpdate: forUpdate) { query in
            query.where("serial_number", .in, serialNumbers).where("account_id", .equal, accountID.rawValue).orderBy("id")
        }
        return Dictionary(grouping: sims, by: \.serialNumber)
    }

    /// The SIMs with these ids that exist (and belong to `accountID` when given), by id.
    public func find(ids: [SimID], accountID: AccountID?, forUpdate: Bool = false) async throws -> [SimID: Sim] {
        guard !ids.isEmpty else { return [:] }
        let sims = try await fetch(forUpdate: forUpdate) { query in
            var query = query.where("id", .in, ids.map(\.rawValue))
            if let accountID { query = query.where("account_id", .equal, accountID.rawValue) }
            return query
        }
        return Dictionary(sims.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Which of these identifiers some SIM already has.
    public func takenIdentifiers(iccids: [String], imsis: [String], msisdns: [String]) async throws -> TakenIdentifiers {
        var taken = TakenIdentifiers()
        // Each kind of identifier on its own, in parts: a million-SIM import would otherwise
        // bind more values in one statement than SQLite takes (250,000 here).
        for (column, values) in [("iccid", iccids), ("imsi", imsis), ("msisdn", msisdns)] {
            for start in stride(from: 0, to: values.count, by: Self.identifiersPerLookup) {
                let part = Array(values[start..<min(start + Self.identifiersPerLookup, values.count)])
                let rows = try await db.select().columns("iccid", "imsi", "msisdn").from("sims").where(SQLColumn(column), .in, SQLBind.group(part)).all()
                for row in rows {
                    taken.iccids.insert(try row.string("iccid"))
                    taken.imsis.insert(try row.string("imsi"))
                    if let msisdn = try row.optionalString("msisdn") { taken.msisdns.insert(msisdn) }
                }
            }
        }
        return taken
    }

    /// Identifiers looked up per statement by ``takenIdentifiers(iccids:imsis:msisdns:)``.
    static let identifiersPerLookup = 10_000

    /// One page of the SIMs that match `filter`, newest first, with their holds.
    public func list(_ filter: SimFilter, _ page: PageRequest) async throws -> Page<Sim> {
        // By label, the walk goes down the label's index (label, sim_id) in id order, joining
        // each SIM: a page costs the same at any depth. Filtering the SIMs by a subquery of
        // the label's ids made a deep page of a common label scan tens of thousands of them.
        // SQLite keeps a CROSS JOIN's order (its planner otherwise started a first page from
        // the account's SIMs: half a second at a million); PostgreSQL plans an inner join well.
        let joinMethod: any SQLExpression = db.dialect.name == "sqlite" ? SQLRaw("CROSS") : SQLJoinMethod.inner
        let byLabel = filter.label.map { label in
            db.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("sims"))).from("sim_labels")
                .join(SQLIdentifier("sims"), method: joinMethod, on: SQLBinaryExpression(SQLColumn("id", table: "sims"), .equal, SQLColumn("sim_id", table: "sim_labels")))
                .where(SQLColumn("label", table: "sim_labels"), .equal, SQLBind(label))
        }
        let sims = try await fetch(forUpdate: false, from: byLabel) { query in
            var query = query
            if let accountID = filter.accountID { query = query.where("account_id", .equal, accountID.rawValue) }
            if !filter.statuses.isEmpty { query = query.where("status", .in, filter.statuses.map(\.rawValue)) }
            if let iccid = filter.iccid { query = query.where("iccid", .equal, iccid.digits) }
            if let imsi = filter.imsi { query = query.where("imsi", .equal, imsi.digits) }
            if let msisdn = filter.msisdn { query = query.where("msisdn", .equal, msisdn.digits) }
            if let imei = filter.imei { query = query.where("imei", .equal, imei.digits) }
            if let before = filter.shutdownBefore {
                // Still to be unprovisioned: an UNPROVISIONED (or retired) SIM keeps its time.
                query = query.where("shutdown_at", .lessThan, before.stored).where("status", .in, [SimStatus.live.rawValue, SimStatus.offline.rawValue])
            }
            if let tariff = filter.tariffNumber { query = query.where("tariff_number", .equal, Int64(tariff)) }
            if let country = filter.country { query = query.where("seen_country", .equal, country) }
            return byLabel == nil ? query.paged(page) : query.paged(page, id: SQLColumn("sim_id", table: "sim_labels"))
        }
        return pageOf(sims, request: page)
    }

    /// How many SIMs have each status: the account's, or (`nil`) every SIM, as metrics count them.
    public func countByStatus(accountID: AccountID? = nil) async throws -> [SimStatus: Int] {
        var select = db.select().column("status").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("sims").groupBy("status")
        if let accountID { select = select.where("account_id", .equal, accountID.rawValue) }
        let rows = try await select.all()
        var counts: [SimStatus: Int] = [:]
        for row in rows {
            if let status = SimStatus(rawValue: try row.string("status")) { counts[status] = try row.int("n") }
        }
        return counts
    }
}

/// Identifiers that SIMs in the database already carry.
public struct TakenIdentifiers: Sendable, Equatable {
    /// ICCIDs (digits) that some SIM already has.
    public var iccids: Set<String> = []
    /// IMSIs that some SIM already has.
    public var imsis: Set<String> = []
    /// MSISDNs (digits, no `+`) that some SIM already has.
    public var msisdns: Set<String> = []
    /// None taken yet.
    public init() {}
}
