import Foundation
import SimGateCore
import SQLKit

/// One SIM a rule fired for, as the dashboard's rule page lists it.
public struct RuleFiringRecord: Sendable, Equatable {
    /// The SIM the rule fired for.
    public let sim: SimID
    /// How many times it fired for that SIM.
    public let count: Int
    /// When it last fired for that SIM.
    public let lastFiredAt: Date
    /// From when it may fire again for that SIM; `nil` for never.
    public let rearmsAt: Date?
}

/// Reads for the dashboard: when rules last fired, without touching their definitions.
extension RuleRepository {
    /// When each of `rules` last fired, for any SIM; rules that never fired are absent.
    public func lastFiredAt(rules: [RuleID]) async throws -> [RuleID: Date] {
        var found: [RuleID: Date] = [:]
        for start in stride(from: 0, to: rules.count, by: 500) {
            let rows = try await db.select().column("rule_id").column(SQLFunction("MAX", args: SQLColumn("last_fired_at")), as: "last")
                .from("rule_states").where("rule_id", .in, rules[start..<min(start + 500, rules.count)].map(\.rawValue))
                .groupBy("rule_id").all()
            for row in rows {
                if let last = try row.optionalDate("last") { found[RuleID(trusted: try row.string("rule_id"))] = last }
            }
        }
        return found
    }

    /// The SIMs `rule` fired for most recently, latest first, at most `limit` of them. (A state
    /// row made only to be locked has no firing yet, and is left out.)
    public func latestFirings(of rule: RuleID, limit: Int) async throws -> [RuleFiringRecord] {
        let rows = try await db.select().column("*").from("rule_states")
            .where("rule_id", .equal, rule.rawValue).where("last_fired_at", .isNot, SQLLiteral.null)
            .orderBy("last_fired_at", .descending).orderBy("sim_id").limit(limit).all()
        return try rows.map { row in
            RuleFiringRecord(
                sim: SimID(trusted: try row.string("sim_id")), count: Int(try row.int64("fired_count")),
                lastFiredAt: try row.date("last_fired_at"), rearmsAt: try row.optionalDate("rearms_at")
            )
        }
    }
}
