import Foundation
import SimGateCore
import SQLKit

/// A rule as stored: its identity and switches in columns, its definition (scope, trigger,
/// conditions, actions, re-arm) as the JSON the API writes, which the server reads back.
public struct StoredRule: Sendable, Equatable {
    /// The rule's `rule_...` id.
    public let id: RuleID
    /// The account whose SIMs it watches.
    public let accountID: AccountID
    /// What the customer calls it.
    public var name: String
    /// Whether it fires.
    public var enabled: Bool
    /// The trigger's type (`usage_over`), to find the rules a fact concerns without reading definitions.
    public var triggerType: String
    /// The definition as JSON.
    public var definition: String
    /// When it was created.
    public let createdAt: Date
    /// When it last changed.
    public var updatedAt: Date

    /// A stored rule with every part given.
    public init(id: RuleID, accountID: AccountID, name: String, enabled: Bool, triggerType: String, definition: String, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.accountID = accountID
        self.name = name
        self.enabled = enabled
        self.triggerType = triggerType
        self.definition = definition
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Rules and, per rule and SIM, when each fired and when it may fire again.
public struct RuleRepository: Sendable {
    /// The connection (inside its transaction) every query here runs on.
    let db: any SQLDatabase
    /// The unit of work, whose kept reads go stale when a rule is written.
    let record: UnitOfWorkRecord

    /// Stores a new rule.
    public func insert(_ rule: StoredRule) async throws {
        record.forget()
        try await db.insert(into: "rules").columns("id", "account_id", "name", "enabled", "trigger_type", "definition", "created_at", "updated_at")
            .values(
                SQLBind(rule.id.rawValue), SQLBind(rule.accountID.rawValue), SQLBind(rule.name), SQLBind(rule.enabled ? 1 : 0),
                SQLBind(rule.triggerType), SQLBind(rule.definition), SQLBind(rule.createdAt.stored), SQLBind(rule.updatedAt.stored)
            ).run()
    }

    /// Writes a rule's name, switch and definition.
    public func save(_ rule: StoredRule) async throws {
        record.forget()
        try await db.update("rules").set("name", to: SQLBind(rule.name)).set("enabled", to: SQLBind(rule.enabled ? 1 : 0))
            .set("trigger_type", to: SQLBind(rule.triggerType)).set("definition", to: SQLBind(rule.definition))
            .set("updated_at", to: SQLBind(rule.updatedAt.stored)).where("id", .equal, rule.id.rawValue).run()
    }

    /// Deletes a rule and what it remembers of each SIM.
    public func delete(_ id: RuleID) async throws {
        record.forget()
        try await db.delete(from: "rule_states").where("rule_id", .equal, id.rawValue).run()
        try await db.delete(from: "rules").where("id", .equal, id.rawValue).run()
    }

    /// The rule with this id, if `accountID` (when given) owns it.
    public func find(_ id: RuleID, accountID: AccountID?) async throws -> StoredRule? {
        var query = db.select().column("*").from("rules").where("id", .equal, id.rawValue)
        if let accountID { query = query.where("account_id", .equal, accountID.rawValue) }
        return try await query.first().map(Self.rule)
    }

    /// One page of an account's rules (everyone's for `nil`), newest first.
    public func list(accountID: AccountID?, _ page: PageRequest) async throws -> Page<StoredRule> {
        var query = db.select().column("*").from("rules")
        if let accountID { query = query.where("account_id", .equal, accountID.rawValue) }
        return pageOf(try await query.paged(page).all().map(Self.rule), request: page)
    }

    /// How many rules the account has.
    public func count(accountID: AccountID) async throws -> Int {
        try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("rules")
            .where("account_id", .equal, accountID.rawValue).first()?.int("n") ?? 0
    }

    /// The enabled rules of these accounts whose trigger is one of `triggerTypes` (any type when empty).
    public func enabled(accountIDs: Set<AccountID>, triggerTypes: Set<String> = []) async throws -> [StoredRule] {
        guard !accountIDs.isEmpty else { return [] }
        // As text: every event appended asks this, on the database's writer thread.
        var sql: SQLQueryString = "SELECT * FROM \"rules\" WHERE \"account_id\" IN (\(binds: accountIDs.sorted().map(\.rawValue))) AND \"enabled\" = \(bind: 1)"
        if !triggerTypes.isEmpty { sql = sql + " AND \"trigger_type\" IN (\(binds: triggerTypes.sorted()))" }
        return try await db.raw(sql + " ORDER BY \"id\" ASC").all().map(Self.rule)
    }

    /// Every enabled rule with a trigger of `triggerType`, across accounts (the idle scan).
    public func enabled(triggerType: String) async throws -> [StoredRule] {
        try await db.select().column("*").from("rules").where("trigger_type", .equal, triggerType).where("enabled", .equal, 1)
            .orderBy("id").limit(10_000).all().map(Self.rule)
    }

    /// What each rule remembers of each SIM, for these pairs, locked until the unit of work
    /// ends: two instances seeing facts about the same SIM at once decide its firing one
    /// after the other, so it fires once. (A missing row is made first, so that there is a row
    /// to lock; SQLite's write transaction is already the lock.)
    public func lockedStates(_ keys: Set<RuleStateKey>) async throws -> [RuleStateKey: RuleFiringState] {
        guard !keys.isEmpty else { return [:] }
        let postgres = db.dialect.name == "postgresql"
        if postgres {
            let sorted = keys.sorted { ($0.rule, $0.sim) < ($1.rule, $1.sim) }
            for start in stride(from: 0, to: sorted.count, by: 500) {
                var insert = db.insert(into: "rule_states").columns("rule_id", "sim_id", "fired_count", "last_fired_at", "rearms_at", "last_window")
                for key in sorted[start..<min(start + 500, sorted.count)] {
                    insert = insert.values(SQLBind(key.rule.rawValue), SQLBind(key.sim.rawValue), SQLBind(Int64(0)), SQLLiteral.null, SQLBind(Date.distantPast.stored), SQLLiteral.null)
                }
                try await insert.ignoringConflicts(with: ["rule_id", "sim_id"]).run()
            }
        }
        let all = try await states(rules: Array(Set(keys.map(\.rule))), sims: Array(Set(keys.map(\.sim))), forUpdate: postgres)
        return all.filter { keys.contains($0.key) }
    }

    /// What each rule remembers of each SIM, for these rules and SIMs.
    public func states(rules: [RuleID], sims: [SimID], forUpdate: Bool = false) async throws -> [RuleStateKey: RuleFiringState] {
        guard !rules.isEmpty, !sims.isEmpty else { return [:] }
        var found: [RuleStateKey: RuleFiringState] = [:]
        for start in stride(from: 0, to: sims.count, by: 500) {
            var query = db.select().column("*").from("rule_states")
                .where("rule_id", .in, Set(rules.map(\.rawValue)).sorted())
                .where("sim_id", .in, sims[start..<min(start + 500, sims.count)].map(\.rawValue))
            if forUpdate { query = query.orderBy("rule_id").orderBy("sim_id").for(.update) }
            let rows = try await query.all()
            for row in rows {
                let key = RuleStateKey(rule: RuleID(trusted: try row.string("rule_id")), sim: SimID(trusted: try row.string("sim_id")))
                found[key] = RuleFiringState(
                    count: Int(try row.int64("fired_count")), lastFiredAt: try row.optionalDate("last_fired_at"),
                    rearmsAt: try row.optionalDate("rearms_at"), lastWindow: try row.optionalString("last_window")
                )
            }
        }
        return found
    }

    /// Forgets what every rule remembers of `sim`: the SIM left its customer, and rules of its
    /// next tenure (even under the same account again) start afresh.
    public func forgetStates(sim: SimID) async throws {
        try await db.delete(from: "rule_states").where("sim_id", .equal, sim.rawValue).run()
    }

    /// Forgets the window every rule last fired for on `sim` when it starts with `prefix`
    /// (`bundle:` when the SIM gets a new bundle, which a bundle of the old one's size
    /// otherwise never fired for); the re-arm policy still holds.
    public func forgetWindows(sim: SimID, prefix: String) async throws {
        try await db.update("rule_states").set("last_window", to: SQLLiteral.null)
            .where("sim_id", .equal, sim.rawValue).where("last_window", .like, prefix + "%").run()
    }

    /// Writes what a rule remembers of a SIM after firing.
    public func saveState(_ state: RuleFiringState, for key: RuleStateKey) async throws {
        try await db.raw("""
            INSERT INTO rule_states (rule_id, sim_id, fired_count, last_fired_at, rearms_at, last_window)
            VALUES (\(bind: key.rule.rawValue), \(bind: key.sim.rawValue), \(bind: Int64(state.count)), \(bind: state.lastFiredAt?.stored),
                    \(bind: state.rearmsAt?.stored), \(bind: state.lastWindow))
            ON CONFLICT (rule_id, sim_id) DO UPDATE SET fired_count = excluded.fired_count, last_fired_at = excluded.last_fired_at,
                rearms_at = excluded.rearms_at, last_window = excluded.last_window
            """).run()
    }

    /// Reads a `rules` row.
    static func rule(_ row: any SQLRow) throws -> StoredRule {
        StoredRule(
            id: RuleID(trusted: try row.string("id")), accountID: AccountID(trusted: try row.string("account_id")),
            name: try row.string("name"), enabled: try row.int("enabled") != 0, triggerType: try row.string("trigger_type"),
            definition: try row.string("definition"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at")
        )
    }
}

/// A rule and a SIM: the key of what the rule remembers of the SIM.
public struct RuleStateKey: Hashable, Sendable {
    /// The rule.
    public let rule: RuleID
    /// The SIM.
    public let sim: SimID

    /// The key of `rule`'s memory of `sim`.
    public init(rule: RuleID, sim: SimID) {
        self.rule = rule
        self.sim = sim
    }
}
