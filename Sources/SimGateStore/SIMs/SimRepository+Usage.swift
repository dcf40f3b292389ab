import Foundation
import SimGateCore
import SQLKit

/// The few columns of a SIM that usage reads and may change: enough for the accounting path,
/// which reads hundreds of SIMs per batch and changes almost none of them.
public struct SimUsageRow: Sendable, Equatable {
    /// The SIM's `sim_...` identifier.
    public let id: SimID
    /// The account holding the SIM, which its usage counts for; `nil` for the operator's stock.
    public let accountID: AccountID?
    /// The IMSI that accounting reports name the SIM by.
    public let imsi: IMSI
    /// First use, bound IMEI and last sighting: what usage may change.
    public var facts: SimUsageFacts
    /// Whether the SIM has a data bundle, whose use its usage adds to.
    public let hasBundle: Bool
    /// Whether the SIM is LIVE, the one status the network gate serves: a session heard of
    /// for a SIM in any other is one to disconnect.
    public let isLive: Bool
    /// When the SIM's status (or holder) last changed: a session's disconnect answered since
    /// then answered for the SIM as it is now.
    public let statusChangedAt: Date

    /// A row from its columns.
    public init(
        id: SimID, accountID: AccountID?, imsi: IMSI, facts: SimUsageFacts, hasBundle: Bool = false, isLive: Bool = true,
        statusChangedAt: Date = .distantPast
    ) {
        self.id = id
        self.accountID = accountID
        self.imsi = imsi
        self.facts = facts
        self.hasBundle = hasBundle
        self.isLive = isLive
        self.statusChangedAt = statusChangedAt
    }

    /// The usage columns of a whole SIM.
    public init(_ sim: Sim) {
        self.init(
            id: sim.id, accountID: sim.accountID, imsi: sim.imsi, facts: sim.usageFacts, hasBundle: sim.bundle != nil, isLive: sim.status == .live,
            statusChangedAt: sim.statusChangedAt
        )
    }
}

extension SimRepository {
    /// The usage columns of the SIMs with these IMSIs, by IMSI, locked for update on PostgreSQL.
    public func usageRows(imsis: [IMSI]) async throws -> [IMSI: SimUsageRow] {
        var found: [IMSI: SimUsageRow] = [:]
        found.reserveCapacity(imsis.count)
        for chunk in BatchShape.inLists(imsis.map(\.digits), on: db) {
            var query = SQLText(for: db)
            query.append(#"SELECT "id", "account_id", "imsi", "first_use_at", "imei", "seen_mcc_mnc", "seen_country", "seen_imei", "seen_since", "bundle_bytes", "status", "status_changed_at" FROM "sims" WHERE "imsi" IN "#)
            query.bindList(chunk)
            // The lock also serialises accounting for one SIM across instances sharing
            // PostgreSQL: a new session's row cannot be locked before it exists, but its SIM's
            // row can, so two instances never both count a session's first bytes.
            if db.dialect.name == "postgresql" { query.append(" FOR UPDATE") }
            try await read(query, into: &found)
        }
        return found
    }

    private func read(_ query: SQLText, into found: inout [IMSI: SimUsageRow]) async throws {
        for row in try await query.query(on: db).all() {
            let imsi = IMSI(trusted: try row.string("imsi"))
            found[imsi] = SimUsageRow(
                id: SimID(trusted: try row.string("id")), accountID: try row.optionalString("account_id").map(AccountID.init(trusted:)),
                imsi: imsi,
                facts: SimUsageFacts(
                    firstUseAt: try row.optionalDate("first_use_at"), imei: try row.optionalString("imei").map(IMEI.init(trusted:)),
                    lastSeen: try Self.sighting(row)
                ),
                hasBundle: try row.optionalInt64("bundle_bytes") != nil,
                isLive: try row.string("status") == SimStatus.live.rawValue,
                statusChangedAt: try row.date("status_changed_at")
            )
        }
    }

    /// The `seen_*` columns as a sighting; `nil` when `seen_since` is NULL (never seen).
    static func sighting(_ row: any SQLRow) throws -> SimSighting? {
        try row.optionalDate("seen_since").map { since in
            SimSighting(
                mccMNC: try row.optionalString("seen_mcc_mnc"), country: try row.optionalString("seen_country"),
                imei: try row.optionalString("seen_imei").map(IMEI.init(trusted:)), since: since
            )
        }
    }

    /// What rules look at of these SIMs (no holds, no identity): one narrow query, for the
    /// usage and event triggers, which ask it of every batch of accounting.
    public func ruleSubjects(ids: [SimID]) async throws -> [SimID: RuleSubject] {
        var found: [SimID: RuleSubject] = [:]
        for start in stride(from: 0, to: ids.count, by: 500) {
            let rows = try await db.select().columns("id", "account_id", "status", "labels", "metadata", "seen_country", "bundle_bytes", "bundle_used_bytes")
                .from("sims").where("id", .in, ids[start..<min(start + 500, ids.count)].map(\.rawValue)).all()
            for row in rows {
                let statusText = try row.string("status")
                guard let status = SimStatus(rawValue: statusText) else { throw StoreError.corruptRow(table: "sims", column: "status", value: statusText) }
                let id = SimID(trusted: try row.string("id"))
                found[id] = RuleSubject(
                    id: id, accountID: try row.optionalString("account_id").map(AccountID.init(trusted:)), status: status,
                    labels: SimLabels(trusted: try StoredJSON.decode([String].self, from: try row.string("labels"), column: "labels")),
                    metadata: SimMetadata(trusted: try StoredJSON.decode([String: String].self, from: try row.string("metadata"), column: "metadata")),
                    country: try row.optionalString("seen_country"), bundle: try Self.bundle(row)
                )
            }
        }
        return found
    }
}
