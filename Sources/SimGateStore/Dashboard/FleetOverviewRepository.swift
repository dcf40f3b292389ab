import Foundation
import SimGateCore
import SQLKit

/// A SIM the overview lists: which one, and the figure it is listed for.
public struct FleetOverviewSim: Sendable {
    /// The SIM.
    public let id: SimID
    /// Its ICCID's digits.
    public let iccid: String
    /// Its shutdown time (for shutdowns due), or `nil`.
    public let shutdownAt: Date?
    /// Its bundle's size and use in bytes (for bundles near their end), or `nil`.
    public let bundle: (size: UInt64, used: UInt64)?
}

/// The fleet-wide counts the dashboard's overview shows, each one query on an index. With
/// `accountID` `nil` they cover every account (the operator's view).
public struct FleetOverviewRepository: Sendable {
    /// The connection every query here runs on.
    let db: any SQLDatabase

    /// How many SIMs carry a hold of each cause (`payment`, `manual`, `rule:…`).
    public func holdsByCause(accountID: AccountID?) async throws -> [String: Int] {
        var select = db.select().column(SQLColumn("cause", table: "sim_holds"))
            .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("sim_holds").groupBy(SQLColumn("cause", table: "sim_holds"))
        if let accountID {
            select = select.join("sims", on: SQLColumn("id", table: "sims"), .equal, SQLColumn("sim_id", table: "sim_holds"))
                .where(SQLColumn("account_id", table: "sims"), .equal, SQLBind(accountID.rawValue))
        }
        var counts: [String: Int] = [:]
        for row in try await select.all() { counts[try row.string("cause")] = try row.int("n") }
        return counts
    }

    /// Provisioned SIMs whose shutdown falls in `from..<to`, soonest first: up to `limit`, and
    /// how many there are, counted up to `countLimit`. Read along the shutdown time's index
    /// alone (by account when there is one), the status checked on the rows found, so that
    /// no plan walks every LIVE SIM.
    public func shutdownsDue(accountID: AccountID?, from: Date, to: Date, limit: Int, countLimit: Int = 1_000) async throws -> (sims: [FleetOverviewSim], count: Int) {
        var select = db.select().columns("id", "iccid", "shutdown_at", "status").from("sims")
            .where("shutdown_at", .greaterThanOrEqual, from.stored).where("shutdown_at", .lessThan, to.stored)
        if let accountID { select = select.where("account_id", .equal, accountID.rawValue) }
        let rows = try await select.orderBy("shutdown_at").limit(countLimit).all()
        let provisioned = try rows.filter { row in
            let status = try row.string("status")
            return status == SimStatus.live.rawValue || status == SimStatus.offline.rawValue
        }
        return (try provisioned.prefix(limit).map { row in
            FleetOverviewSim(id: SimID(trusted: try row.string("id")), iccid: try row.string("iccid"), shutdownAt: try row.optionalDate("shutdown_at"), bundle: nil)
        }, provisioned.count)
    }

    /// Provisioned SIMs with at most `percentLeft` of their bundle left, least left first: up to
    /// `limit`, and how many there are.
    public func bundlesNearEnd(accountID: AccountID?, percentLeft: Int, limit: Int) async throws -> (sims: [FleetOverviewSim], count: Int) {
        // used >= size * (100 - percent) / 100, written without a product that could pass 64 bits.
        let nearEnd = SQLRaw("bundle_bytes > 0 AND bundle_used_bytes >= bundle_bytes - (bundle_bytes / 100) * \(max(0, min(100, percentLeft)))")
        func filtered(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
            var select = select.from("sims").where("bundle_bytes", .isNot, SQLLiteral.null).where(nearEnd)
                .where("status", .in, [SimStatus.live.rawValue, SimStatus.offline.rawValue])
            if let accountID { select = select.where("account_id", .equal, accountID.rawValue) }
            return select
        }
        let rows = try await filtered(db.select().columns("id", "iccid", "bundle_bytes", "bundle_used_bytes"))
            .orderBy(SQLRaw("bundle_bytes - bundle_used_bytes")).limit(limit).all()
        let count = try await filtered(db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")).first()?.int("n") ?? 0
        return (try rows.map { row in
            FleetOverviewSim(
                id: SimID(trusted: try row.string("id")), iccid: try row.string("iccid"), shutdownAt: nil,
                bundle: (try row.byteCount("bundle_bytes", table: "sims"), try row.byteCount("bundle_used_bytes", table: "sims"))
            )
        }, count)
    }

    /// For each rule of the account that fired since `since`: on how many SIMs it last fired then.
    public func rulesFired(accountID: AccountID?, since: Date) async throws -> [(rule: RuleID, name: String, sims: Int)] {
        var select = db.select().column(SQLColumn("id", table: "rules")).column(SQLColumn("name", table: "rules"))
            .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from("rule_states").join("rules", on: SQLColumn("id", table: "rules"), .equal, SQLColumn("rule_id", table: "rule_states"))
            .where(SQLColumn("last_fired_at", table: "rule_states"), .greaterThanOrEqual, SQLBind(since.stored))
            .groupBy(SQLColumn("id", table: "rules")).groupBy(SQLColumn("name", table: "rules")).orderBy(SQLColumn("name", table: "rules"))
        if let accountID { select = select.where(SQLColumn("account_id", table: "rules"), .equal, SQLBind(accountID.rawValue)) }
        return try await select.all().map { row in (RuleID(trusted: try row.string("id")), try row.string("name"), try row.int("n")) }
    }
}
