import Foundation
import Synchronization
import SimGateCore
import SimGateStore

/// A rule as the API shows it: its definition's parts at the top level, beside its identity.
struct RuleResource: Codable, Equatable, Sendable {
    /// The rule's `rule_...` id.
    let id: String
    /// Always `rule`.
    let object: String
    /// The account whose SIMs it watches.
    let account: String
    /// What the customer calls it.
    let name: String
    /// Whether it fires.
    let enabled: Bool
    /// Which SIMs it watches: `all`, a `label`, or listed `sims`.
    let scope: JSONValue
    /// What sets it off, with its `type` and that type's fields.
    let trigger: JSONValue
    /// What must also hold of the SIM: a `match` and its `clauses`.
    let conditions: JSONValue
    /// What it does when it fires, in order, each with its `delay_seconds`.
    let actions: JSONValue
    /// When it may fire again for the same SIM.
    let rearm: JSONValue
    /// When it was created.
    let createdAt: Date
    /// When it last changed.
    let updatedAt: Date

    /// The JSON field names, snake_case as the API writes them.
    enum CodingKeys: String, CodingKey {
        case id, object, account, name, enabled, scope, trigger, conditions, actions, rearm
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// The API's view of `rule`.
    init(_ rule: Rule) {
        let definition = RuleDefinition(scope: rule.scope, trigger: rule.trigger, conditions: rule.conditions, actions: rule.actions, rearm: rule.rearm)
        guard case .object(let parts) = definition.json else { preconditionFailure("a definition is an object") }
        id = rule.id.rawValue
        object = "rule"
        account = rule.accountID.rawValue
        name = rule.name
        enabled = rule.enabled
        scope = parts["scope"] ?? .null
        trigger = parts["trigger"] ?? .null
        conditions = parts["conditions"] ?? .null
        actions = parts["actions"] ?? .null
        rearm = parts["rearm"] ?? .null
        createdAt = rule.createdAt
        updatedAt = rule.updatedAt
    }
}

extension Rule {
    /// The rule a stored row holds; a definition that no longer reads is a corrupt row.
    /// Definitions are read once per version: rules are read on every batch of usage.
    init(stored: StoredRule) throws {
        let definition: RuleDefinition
        if let known = RuleDefinitionCache.shared.definition(of: stored) {
            definition = known
        } else {
            do {
                definition = try RuleDefinitionReader().definition(try JSONDecoder().decode(JSONValue.self, from: Data(stored.definition.utf8)))
            } catch {
                throw StoreError.corruptRow(table: "rules", column: "definition", value: String(stored.definition.prefix(200)))
            }
            RuleDefinitionCache.shared.keep(definition, of: stored)
        }
        self.init(
            id: stored.id, accountID: stored.accountID, name: stored.name, enabled: stored.enabled, scope: definition.scope,
            trigger: definition.trigger, conditions: definition.conditions, actions: definition.actions, rearm: definition.rearm,
            createdAt: stored.createdAt, updatedAt: stored.updatedAt
        )
    }

    /// The row that stores the rule.
    var stored: StoredRule {
        get throws {
            let definition = RuleDefinition(scope: scope, trigger: trigger, conditions: conditions, actions: actions, rearm: rearm)
            return StoredRule(
                id: id, accountID: accountID, name: name, enabled: enabled, triggerType: trigger.typeName,
                definition: try APIJSON.encodeToString(definition.json), createdAt: createdAt, updatedAt: updatedAt
            )
        }
    }
}

/// Rule definitions already read, by the text they were read from: a stored definition is
/// read again only when it changed. Bounded: past 10,000 entries it starts afresh.
final class RuleDefinitionCache: Sendable {
    /// The one cache of the process.
    static let shared = RuleDefinitionCache()
    private let entries = Mutex<[RuleID: (text: String, definition: RuleDefinition)]>([:])

    /// The definition `stored` holds, if it was read before in this very text.
    func definition(of stored: StoredRule) -> RuleDefinition? {
        entries.withLock { entries in entries[stored.id].flatMap { $0.text == stored.definition ? $0.definition : nil } }
    }

    /// Keeps what `stored`'s text reads as.
    func keep(_ definition: RuleDefinition, of stored: StoredRule) {
        entries.withLock { entries in
            if entries.count >= 10_000 { entries.removeAll() }
            entries[stored.id] = (stored.definition, definition)
        }
    }
}
