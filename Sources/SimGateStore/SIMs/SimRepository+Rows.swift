import Foundation
import SimGateCore
import SQLKit

/// How a ``Sim`` maps to the `sims`, `sim_labels` and `sim_holds` tables.
extension SimRepository {
    /// The `sims` columns SimGate writes, in the order ``storedValues(of:)`` gives them.
    static let columns = [
        "id", "iccid", "imsi", "msisdn", "eid", "serial_number", "imei", "account_id", "status", "tariff_number",
        "labels", "metadata", "first_use_at", "status_changed_at", "status_actor_kind", "status_actor_id",
        "status_reason", "created_at", "updated_at", "seen_mcc_mnc", "seen_country", "seen_imei", "seen_since",
        "shutdown_threshold_hours", "shutdown_at",
    ]
    /// ``columns``, each as quoted text.
    static let quotedNames = columns.map { QuotedIdentifier($0).quoted }

    /// The values written for `sim`, in the order of ``columns``, as values that compare, so
    /// that a save can write only the columns that changed.
    static func storedValues(of sim: Sim) -> [StoredValue] {
        [
            .text(sim.id.rawValue), .text(sim.iccid.digits), .text(sim.imsi.digits), .text(sim.msisdn?.digits),
            .text(sim.eid?.digits), .text(sim.serialNumber), .text(sim.imei?.digits), .text(sim.accountID?.rawValue),
            .text(sim.status.rawValue), .integer(sim.tariffNumber.map(Int64.init)), .text(StoredJSON.encode(sim.labels.values)),
            .text(StoredJSON.encode(sim.metadata.values)), .integer(sim.firstUseAt?.stored), .integer(sim.statusChangedAt.stored),
            .text(sim.statusCause.actor.kind.rawValue), .text(sim.statusCause.actor.id), .text(sim.statusCause.reason),
            .integer(sim.createdAt.stored), .integer(sim.updatedAt.stored), .text(sim.lastSeen?.mccMNC),
            .text(sim.lastSeen?.country), .text(sim.lastSeen?.imei?.digits), .integer(sim.lastSeen?.since.stored),
            .integer(sim.shutdownThreshold.map { Int64($0.hours) }), .integer(sim.shutdownAt?.stored),
        ]
    }

    /// One column's stored value: text or a whole number, or NULL. Text is equal only byte for
    /// byte, as the database compares it: Swift's `String` equality took a serial number
    /// respelt with a combining accent for the one stored, and the change was never written.
    enum StoredValue: Equatable {
        case text(String?)
        case integer(Int64?)

        static func == (lhs: StoredValue, rhs: StoredValue) -> Bool {
            switch (lhs, rhs) {
            case (.text(let left), .text(let right)):
                guard let left, let right else { return left == nil && right == nil }
                return left.utf8.elementsEqual(right.utf8)
            case (.integer(let left), .integer(let right)):
                return left == right
            default:
                return false
            }
        }

        /// The value bound into a statement written as text.
        var bindValue: any Encodable & Sendable {
            switch self {
            case .text(let text): orNull(text)
            case .integer(let integer): orNull(integer)
            }
        }
    }

    /// Runs a `sims` query shaped by `refine` and attaches each SIM's holds (one more query).
    func fetch(forUpdate: Bool, from base: SQLSelectBuilder? = nil, _ refine: (SQLSelectBuilder) -> SQLSelectBuilder) async throws -> [Sim] {
        var query = refine(base ?? db.select().column("*").from("sims"))
        if forUpdate, db.dialect.name == "postgresql" { query = query.for(.update) }
        return try await sims(from: try await query.all())
    }

    /// The SIM whose `column` is `value`, of `accountID` when given. The statement is written
    /// as text rather than built: every read and write of one SIM starts here, and building it
    /// with SQLKit cost more than running it.
    func fetchOne(where column: QuotedIdentifier, is value: String, accountID: AccountID?, forUpdate: Bool) async throws -> Sim? {
        var sql = SQLText(for: db)
        sql.append(#"SELECT * FROM "sims" WHERE "# + column.quoted + " = ")
        sql.bind(value)
        if let accountID {
            sql.append(#" AND "account_id" = "#)
            sql.bind(accountID.rawValue)
        }
        if forUpdate, db.dialect.name == "postgresql" { sql.append(" FOR UPDATE") }
        return try await sims(from: try await sql.query(on: db).all()).first
    }

    /// The SIMs of `rows` from `sims`, each with its holds.
    private func sims(from rows: [any SQLRow]) async throws -> [Sim] {
        guard !rows.isEmpty else { return [] }
        // A LIVE SIM has no hold (SimState: LIVE exactly when none), so only the others'
        // holds are looked up; most of a fleet is LIVE, and so is most of what is read.
        let ids = try rows.filter { try $0.string("status") != SimStatus.live.rawValue }.map { try $0.string("id") }
        var holds: [String: [HoldCause: Hold]] = [:]
        var query = SQLText(for: db)
        query.append(#"SELECT * FROM "sim_holds" WHERE "sim_id" IN "#)
        query.bindList(ids)
        for row in try await ids.isEmpty ? [] : query.query(on: db).all() {
            let causeText = try row.string("cause")
            guard let cause = HoldCause(causeText) else { throw StoreError.corruptRow(table: "sim_holds", column: "cause", value: causeText) }
            let hold = Hold(
                cause: cause, placedAt: try row.date("placed_at"),
                origin: ChangeCause(actor: try row.changeActor(), reason: try row.optionalString("reason"))
            )
            holds[try row.string("sim_id"), default: [:]][cause] = hold
        }
        return try rows.map { try Self.sim($0, holds: holds[try $0.string("id")] ?? [:]) }
    }

    /// Reads a `sims` row together with the SIM's holds; an unknown status is a corrupt row.
    static func sim(_ row: any SQLRow, holds: [HoldCause: Hold]) throws -> Sim {
        let statusText = try row.string("status")
        guard let status = SimStatus(rawValue: statusText) else {
            throw StoreError.corruptRow(table: "sims", column: "status", value: statusText)
        }
        let iccid = ICCID(trusted: try row.string("iccid"))
        return Sim(
            id: SimID(trusted: try row.string("id")), iccid: iccid, imsi: IMSI(trusted: try row.string("imsi")),
            msisdn: try row.optionalString("msisdn").map(MSISDN.init(trusted:)),
            eid: try row.optionalString("eid").map(EID.init(trusted:)),
            serialNumber: try row.string("serial_number"),
            imei: try row.optionalString("imei").map(IMEI.init(trusted:)),
            accountID: try row.optionalString("account_id").map(AccountID.init(trusted:)),
            state: SimState(status: status, holds: holds),
            tariffNumber: try row.optionalInt64("tariff_number").map(Int.init),
            labels: SimLabels(trusted: try StoredJSON.decode([String].self, from: try row.string("labels"), column: "labels")),
            metadata: SimMetadata(trusted: try StoredJSON.decode([String: String].self, from: try row.string("metadata"), column: "metadata")),
            firstUseAt: try row.optionalDate("first_use_at"),
            shutdownThreshold: try row.optionalInt64("shutdown_threshold_hours").flatMap { ShutdownThreshold(hours: Int($0)) },
            bundle: try bundle(row),
            lastSeen: try sighting(row),
            statusChangedAt: try row.date("status_changed_at"),
            statusCause: ChangeCause(actor: try row.changeActor(prefix: "status_"), reason: try row.optionalString("status_reason")),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at")
        )
    }

    /// The SIM's data bundle, if it has one.
    static func bundle(_ row: any SQLRow) throws -> DataBundle? {
        guard let size = try row.optionalInt64("bundle_bytes") else { return nil }
        let used = try row.optionalInt64("bundle_used_bytes") ?? 0
        guard size >= 0, used >= 0 else { throw StoreError.corruptRow(table: "sims", column: "bundle_bytes", value: "\(size)/\(used)") }
        return DataBundle(size: UInt64(size), used: UInt64(used))
    }

    private static let insertLabel = InsertStatement(into: "sim_labels", columns: ["sim_id", "label"])

    /// Inserts `sim_labels` rows, 1,000 to a statement.
    func insertLabels(_ labels: [(SimID, String)]) async throws {
        try await Self.insertLabel.runInBulk(labels.map { id, label in [id.rawValue, label] }, on: db)
    }

    private static let insertHold = InsertStatement(into: "sim_holds", columns: ["sim_id", "cause", "placed_at", "actor_kind", "actor_id", "reason"])

    /// Inserts `sim_holds` rows, 1,000 to a statement.
    func insertHolds(_ holds: [(SimID, Hold)]) async throws {
        try await Self.insertHold.runInBulk(holds.map { id, hold in
            [
                id.rawValue, hold.cause.description, hold.placedAt.stored,
                hold.origin.actor.kind.rawValue, orNull(hold.origin.actor.id), orNull(hold.origin.reason),
            ]
        }, on: db)
    }
}
