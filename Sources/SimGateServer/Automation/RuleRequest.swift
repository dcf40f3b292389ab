import Foundation
import SimGateCore

/// Body of `POST /v1/rules` (a new rule), `POST /v1/rules/{id}` (every field optional: the
/// parts given replace the rule's), and the draft of `POST /v1/rules/test`.
struct RuleRequest: Sendable {
    /// The rule's name; required for a new rule.
    var name: String?
    /// Whether the rule fires; a new rule is enabled unless said.
    var enabled: Bool?
    /// The account the rule is for (operator only; the caller's own otherwise); it cannot change.
    var account: AccountID?
    /// Which SIMs the rule watches.
    var scope: RuleScope?
    /// What sets the rule off; required for a new rule.
    var trigger: RuleTrigger?
    /// What must also hold of the SIM.
    var conditions: RuleConditions?
    /// What the rule does when it fires; required for a new rule.
    var actions: [RuleAction]?
    /// When the rule may fire again for the same SIM.
    var rearm: RearmPolicy?
    /// The SIM to test against, by id or ICCID (the test routes only).
    var sim: SimReference?

    /// Reads a body; `forTest` allows `sim`, `partial` lets every field be left out.
    init(_ body: JSONValue, partial: Bool, forTest: Bool = false) throws {
        let reader = RuleDefinitionReader()
        var allowed: Set<String> = ["name", "enabled", "account", "scope", "trigger", "conditions", "actions", "rearm"]
        if forTest { allowed.insert("sim") }
        guard case .object(let fields) = body else { throw APIError.invalid("invalid_body", "The body must be a JSON object.") }
        if let extra = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError.invalid("unknown_parameter", "Unknown field '\(extra)'.", param: extra)
        }
        if let value = fields["name"] {
            let name = try reader.string(value, "name")
            try RequestText.requireNonBlank(name, param: "name", maximumLength: 200)
            self.name = name
        } else if !partial {
            throw APIError.invalid("parameter_missing", "'name' is required.", param: "name")
        }
        if let value = fields["enabled"] {
            guard case .bool(let flag) = value else { throw APIError.invalid("invalid_type", "'enabled' must be true or false.", param: "enabled") }
            enabled = flag
        }
        if let value = fields["account"] {
            guard let id = AccountID(parsing: try reader.string(value, "account")) else {
                throw APIError.invalid("invalid_id", "'account' must be an id starting with 'acct_'.", param: "account")
            }
            account = id
        }
        if let value = fields["sim"] {
            let text = try reader.string(value, "sim")
            guard let reference = try? SimReference(parsing: text) else {
                throw APIError.invalid("invalid_id", "'sim' must be a SIM's id (sim_...) or its ICCID.", param: "sim")
            }
            sim = reference
        }
        if fields["scope"] != nil || !partial { scope = try reader.scope(fields["scope"]) }
        if fields["trigger"] != nil || !partial { trigger = try reader.trigger(fields["trigger"]) }
        if fields["conditions"] != nil || !partial { conditions = try reader.conditions(fields["conditions"]) }
        if fields["actions"] != nil || !partial { actions = try reader.actions(fields["actions"]) }
        if fields["rearm"] != nil || !partial { rearm = try reader.rearm(fields["rearm"]) }
    }
}
