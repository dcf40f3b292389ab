import Foundation
import SimGateCore
import SQLKit

/// Each SIM's periods under the same billing terms: written with every change of owner,
/// tariff, status or OFFLINE cause, in the unit of work that makes the change.
public struct SimPeriodRepository: Sendable {
    /// The connection (inside its transaction) every query here runs on.
    let db: any SQLDatabase

    /// Opens the first period of each new SIM, from its last status change (its arrival).
    func open(_ sims: [Sim]) async throws {
        try await insert(sims.map { ($0.id, $0.billingTerms, $0.statusChangedAt.stored) })
    }

    /// Puts each SIM on `terms` from `at`: its open period ends there and a new one begins.
    /// Terms equal to the open period's change nothing. A time before the open period began
    /// (another instance's clock) is taken as its start, so periods never overlap.
    public func move(_ changes: [(simID: SimID, terms: SimBillingTerms, at: Date)]) async throws {
        guard !changes.isEmpty else { return }
        var open: [SimID: (start: Int64, terms: SimBillingTerms)] = [:]
        for start in stride(from: 0, to: changes.count, by: 500) {
            let ids = changes[start..<min(start + 500, changes.count)].map(\.simID.rawValue)
            var query = SQLText(for: db)
            query.append(#"SELECT * FROM "sim_periods" WHERE "sim_id" IN "#)
            query.bindList(ids)
            query.append(#" AND "ended_at" IS NULL"#)
            for row in try await query.query(on: db).all() {
                open[SimID(trusted: try row.string("sim_id"))] = (try row.int64("started_at"), try Self.terms(row))
            }
        }
        var closes: [(SimID, Int64, Int64)] = [], opens: [(SimID, SimBillingTerms, Int64)] = []
        for change in changes {
            guard let current = open[change.simID] else {
                opens.append((change.simID, change.terms, change.at.stored))
                continue
            }
            guard current.terms != change.terms else { continue }
            let at = max(change.at.stored, current.start)
            if at == current.start {
                try await rewrite(change.simID, startedAt: at, to: change.terms)
            } else {
                closes.append((change.simID, current.start, at))
                opens.append((change.simID, change.terms, at))
            }
            open[change.simID] = (at, change.terms)
        }
        for (simID, startedAt, endedAt) in closes {
            var close = SQLText(for: db)
            close.append(#"UPDATE "sim_periods" SET "ended_at" = "#)
            close.bind(endedAt)
            close.append(#" WHERE "sim_id" = "#)
            close.bind(simID.rawValue)
            close.append(#" AND "started_at" = "#)
            close.bind(startedAt)
            try await close.query(on: db).run()
        }
        try await insert(opens)
    }

    /// The account's periods that overlap `[start, end)`, with each SIM's ICCID, a SIM's
    /// periods together and oldest first.
    public func periods(accountID: AccountID, from start: Date, to end: Date) async throws -> [(period: SimPeriod, iccid: ICCID)] {
        try await db.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("p"))).column(SQLColumn("iccid", table: "s"))
            .from(SQLAlias(SQLIdentifier("sim_periods"), as: SQLIdentifier("p")))
            .join(SQLAlias(SQLIdentifier("sims"), as: SQLIdentifier("s")), method: SQLJoinMethod.inner, on: SQLColumn("id", table: "s"), .equal, SQLColumn("sim_id", table: "p"))
            .where(SQLColumn("account_id", table: "p"), .equal, SQLBind(accountID.rawValue))
            .where { $0.where(SQLColumn("ended_at", table: "p"), .is, SQLLiteral.null).orWhere(SQLColumn("ended_at", table: "p"), .greaterThan, SQLBind(start.stored)) }
            .where(SQLColumn("started_at", table: "p"), .lessThan, SQLBind(end.stored))
            .orderBy(SQLColumn("sim_id", table: "p")).orderBy(SQLColumn("started_at", table: "p"))
            .all().map { row in
                let period = SimPeriod(
                    simID: SimID(trusted: try row.string("sim_id")), terms: try Self.terms(row), start: try row.date("started_at"), end: try row.optionalDate("ended_at")
                )
                return (period, ICCID(trusted: try row.string("iccid")))
            }
    }

    /// Who held each of `sims` from `since` on: their periods that had not ended by then,
    /// oldest first, as (start, end, account).
    public func holders(of sims: Set<SimID>, since: Date) async throws -> [SimID: [(start: Date, end: Date?, accountID: AccountID?)]] {
        var found: [SimID: [(start: Date, end: Date?, accountID: AccountID?)]] = [:]
        let ids = sims.map(\.rawValue).sorted()
        for first in stride(from: 0, to: ids.count, by: 500) {
            let rows = try await db.select().columns("sim_id", "started_at", "ended_at", "account_id").from("sim_periods")
                .where("sim_id", .in, Array(ids[first..<min(first + 500, ids.count)]))
                .where { $0.where("ended_at", .is, SQLLiteral.null).orWhere("ended_at", .greaterThan, since.stored) }
                .orderBy("sim_id").orderBy("started_at").all()
            for row in rows {
                found[SimID(trusted: try row.string("sim_id")), default: []].append(
                    (try row.date("started_at"), try row.optionalDate("ended_at"), try row.optionalString("account_id").map(AccountID.init(trusted:)))
                )
            }
        }
        return found
    }

    /// Accounts that held some SIM during `[start, end)`.
    public func accounts(from start: Date, to end: Date) async throws -> [AccountID] {
        try await db.select().distinct().column("account_id").from("sim_periods")
            .where("account_id", .isNot, SQLLiteral.null)
            .where { $0.where("ended_at", .is, SQLLiteral.null).orWhere("ended_at", .greaterThan, start.stored) }
            .where("started_at", .lessThan, end.stored)
            .orderBy("account_id").all().map { AccountID(trusted: try $0.string("account_id")) }
    }

    private func rewrite(_ simID: SimID, startedAt: Int64, to terms: SimBillingTerms) async throws {
        var update = SQLText(for: db)
        update.append(#"UPDATE "sim_periods" SET "account_id" = "#)
        update.bind(orNull(terms.accountID?.rawValue))
        update.append(#", "tariff_number" = "#)
        update.bind(orNull(terms.tariffNumber.map(Int64.init)))
        update.append(#", "status" = "#)
        update.bind(terms.status.rawValue)
        update.append(#", "hold_cause" = "#)
        update.bind(orNull(terms.holdCause?.description))
        update.append(#" WHERE "sim_id" = "#)
        update.bind(simID.rawValue)
        update.append(#" AND "started_at" = "#)
        update.bind(startedAt)
        try await update.query(on: db).run()
    }

    private static let insertPeriod = InsertStatement(
        into: "sim_periods", columns: ["sim_id", "started_at", "ended_at", "account_id", "tariff_number", "status", "hold_cause"]
    )

    private func insert(_ rows: [(SimID, SimBillingTerms, Int64)]) async throws {
        try await Self.insertPeriod.runInBulk(rows.map { simID, terms, at in
            [
                simID.rawValue, at, NullBind(), orNull(terms.accountID?.rawValue),
                orNull(terms.tariffNumber.map(Int64.init)), terms.status.rawValue, orNull(terms.holdCause?.description),
            ]
        }, on: db)
    }

    private static func terms(_ row: any SQLRow) throws -> SimBillingTerms {
        let statusText = try row.string("status")
        guard let status = SimStatus(rawValue: statusText) else { throw StoreError.corruptRow(table: "sim_periods", column: "status", value: statusText) }
        let causeText = try row.optionalString("hold_cause")
        return SimBillingTerms(
            accountID: try row.optionalString("account_id").map(AccountID.init(trusted:)), tariffNumber: try row.optionalInt64("tariff_number").map(Int.init),
            status: status, holdCause: causeText.flatMap(HoldCause.init)
        )
    }
}
