import Foundation
import SimGateCore
import SQLKit

/// A SIM's data bundle, changed only by adding: a grant, a top-up or usage never writes a
/// value read earlier, so concurrent use and top-ups across instances all count.
extension SimRepository {
    /// Gives the SIM a fresh bundle of `bytes`, nothing used, and records the grant. The SIM's
    /// `updated_at` moves with it, as with a top-up; traffic used from the bundle does not
    /// move it, any more than usage does.
    public func grantBundle(_ change: BundleChange) async throws {
        try await db.update("sims").set("bundle_bytes", to: SQLBind(Int64(change.bytes))).set("bundle_used_bytes", to: SQLBind(Int64(0)))
            .set("updated_at", to: SQLBind(change.at.stored))
            .where("id", .equal, change.simID.rawValue).run()
        try await record(change)
    }

    /// Adds `change.bytes` to the SIM's bundle and records the top-up; returns the bundle
    /// after it, or `nil` when the SIM has no bundle or the sum would pass a signed 64-bit
    /// integer (then nothing changes).
    public func topUpBundle(_ change: BundleChange) async throws -> DataBundle? {
        let added = Int64(change.bytes)
        let row = try await db.raw("""
            UPDATE sims SET bundle_bytes = bundle_bytes + \(bind: added), updated_at = \(bind: change.at.stored)
            WHERE id = \(bind: change.simID.rawValue) AND bundle_bytes IS NOT NULL AND bundle_bytes <= \(bind: Int64.max - added)
            RETURNING bundle_bytes, bundle_used_bytes
            """).first()
        guard let row else { return nil }
        try await record(change)
        return try Self.bundle(row)
    }

    /// Adds used bytes to the bundles of these SIMs (those without a bundle are left alone);
    /// returns each changed bundle. Use saturates at the largest stored count.
    public func addBundleUse(_ bytes: [SimID: UInt64]) async throws -> [SimID: DataBundle] {
        var bundles: [SimID: DataBundle] = [:]
        for (simID, used) in bytes.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where used > 0 {
            let added = Int64(clamping: used)
            let row = try await db.raw("""
                UPDATE sims SET bundle_used_bytes = CASE
                    WHEN bundle_used_bytes > \(bind: Int64.max - added) THEN \(bind: Int64.max)
                    ELSE bundle_used_bytes + \(bind: added) END
                WHERE id = \(bind: simID.rawValue) AND bundle_bytes IS NOT NULL
                RETURNING bundle_bytes, bundle_used_bytes
                """).first()
            if let row, let bundle = try Self.bundle(row) { bundles[simID] = bundle }
        }
        return bundles
    }

    /// When each of these SIMs was last granted a bundle (provisioned on an AOFU tariff);
    /// SIMs never granted one are left out.
    public func latestBundleGrants(of simIDs: [SimID]) async throws -> [SimID: Date] {
        var found: [SimID: Date] = [:]
        for ids in BatchShape.inLists(Array(Set(simIDs.map(\.rawValue))).sorted(), on: db) {
            let rows = try await db.select().column("sim_id").column(SQLFunction("MAX", args: SQLColumn("created_at")), as: "granted_at")
                .from("bundle_changes").where("sim_id", .in, ids).where("kind", .equal, SQLBind(BundleChange.Kind.granted.rawValue))
                .groupBy("sim_id").all()
            for row in rows { found[SimID(trusted: try row.string("sim_id"))] = try row.date("granted_at") }
        }
        return found
    }

    /// Takes the SIM's bundle away (a standard tariff has none); its history stays.
    public func clearBundle(_ simID: SimID) async throws {
        try await db.update("sims").set("bundle_bytes", to: SQLLiteral.null).set("bundle_used_bytes", to: SQLLiteral.null)
            .where("id", .equal, simID.rawValue).run()
    }

    /// The SIM's bundle history, oldest first (by time, then id), as `accountID` (when given)
    /// may see it: up to `limit` changes after `after` (a change of this history), and whether
    /// more follow. Ordered by id alone, pages skipped changes made on another instance, whose
    /// ids need not sort after this one's; in time they do, as far as the clocks agree.
    public func bundleChanges(
        of simID: SimID, accountID: AccountID?, after: BundleChange? = nil, limit: Int
    ) async throws -> (changes: [BundleChange], hasMore: Bool) {
        var query = db.select().column("*").from("bundle_changes").where("sim_id", .equal, simID.rawValue)
        if let accountID { query = query.where("account_id", .equal, accountID.rawValue) }
        if let after {
            let at = SQLBind(after.at.stored)
            let later = SQLBinaryExpression(SQLColumn("created_at"), .greaterThan, at)
            let sameTimeAfter = SQLBinaryExpression(
                SQLBinaryExpression(SQLColumn("created_at"), .equal, at), .and, SQLBinaryExpression(SQLColumn("id"), .greaterThan, SQLBind(after.id))
            )
            query = query.where(SQLGroupExpression(SQLBinaryExpression(later, .or, sameTimeAfter)))
        }
        let rows = try await query.orderBy("created_at").orderBy("id").limit(limit + 1).all().map(Self.bundleChange)
        return (Array(rows.prefix(limit)), rows.count > limit)
    }

    /// One change of the SIM's bundle history, as `accountID` (when given) may see it.
    public func bundleChange(_ id: String, of simID: SimID, accountID: AccountID?) async throws -> BundleChange? {
        var query = db.select().column("*").from("bundle_changes").where("id", .equal, id).where("sim_id", .equal, simID.rawValue)
        if let accountID { query = query.where("account_id", .equal, accountID.rawValue) }
        return try await query.first().map(Self.bundleChange)
    }

    /// Reads a `bundle_changes` row.
    static func bundleChange(_ row: any SQLRow) throws -> BundleChange {
        let kindText = try row.string("kind")
        guard let kind = BundleChange.Kind(rawValue: kindText) else {
            throw StoreError.corruptRow(table: "bundle_changes", column: "kind", value: kindText)
        }
        return BundleChange(
            id: try row.string("id"), simID: SimID(trusted: try row.string("sim_id")), accountID: try row.optionalString("account_id").map(AccountID.init(trusted:)),
            kind: kind, bytes: try row.byteCount("bytes", table: "bundle_changes"),
            cause: ChangeCause(actor: try row.changeActor(), reason: try row.optionalString("reason")), at: try row.date("created_at")
        )
    }

    private func record(_ change: BundleChange) async throws {
        try await db.insert(into: "bundle_changes")
            .columns("id", "sim_id", "account_id", "kind", "bytes", "actor_kind", "actor_id", "reason", "created_at")
            .values(
                SQLBind(change.id), SQLBind(change.simID.rawValue), SQLBind(change.accountID?.rawValue), SQLBind(change.kind.rawValue),
                SQLBind(Int64(change.bytes)), SQLBind(change.cause.actor.kind.rawValue), SQLBind(change.cause.actor.id),
                SQLBind(change.cause.reason), SQLBind(change.at.stored)
            ).run()
    }
}
