import Foundation
import SimGateCore

/// The parts of a rule a customer writes: what the API takes and shows, and what is stored
/// (as the same JSON) in the rule's `definition`.
struct RuleDefinition: Equatable, Sendable {
    /// Which of the account's SIMs the rule watches; every SIM unless said.
    var scope: RuleScope = .allSims
    /// What sets the rule off.
    var trigger: RuleTrigger
    /// What must also hold of the SIM for the rule to fire; nothing unless said.
    var conditions = RuleConditions()
    /// What the rule does when it fires, in order.
    var actions: [RuleAction]
    /// When the rule may fire again for the same SIM; at once unless said.
    var rearm: RearmPolicy = .immediately

    /// The definition as JSON, in the API's shape.
    var json: JSONValue {
        .object([
            "scope": Self.write(scope), "trigger": Self.write(trigger), "conditions": Self.write(conditions),
            "actions": .array(actions.map(Self.write)), "rearm": Self.write(rearm),
        ])
    }

    private static func write(_ scope: RuleScope) -> JSONValue {
        switch scope {
        case .allSims: .object(["type": "all"])
        case .label(let label): .object(["type": "label", "label": .string(label)])
        case .sims(let ids): .object(["type": "sims", "sims": .array(ids.sorted().map { .string($0.rawValue) })])
        }
    }

    private static func write(_ trigger: RuleTrigger) -> JSONValue {
        var fields: [String: JSONValue] = ["type": .string(trigger.typeName)]
        switch trigger {
        case .usageOver(let limit, let window):
            fields["limit_bytes"] = .integer(Int64(limit))
            fields["window"] = .string(window.rawValue)
        case .bundleUsed(let percent): fields["percent"] = .integer(Int64(percent))
        case .countryNotIn(let countries): fields["countries"] = .array(countries.sorted().map(JSONValue.string))
        case .statusChanged(let from, let to):
            fields["from"] = from.map { .string($0.rawValue) } ?? .null
            fields["to"] = to.map { .string($0.rawValue) } ?? .null
        case .noData(let hours): fields["hours"] = .integer(Int64(hours))
        case .sessionOpened(let rats, let networks):
            fields["rats"] = .array(rats.sorted().map(JSONValue.string))
            fields["networks"] = .array(networks.sorted().map(JSONValue.string))
        case .countryChanged, .firstUse, .deviceChanged, .paymentFailed, .entitlementLapsed: break
        }
        return .object(fields)
    }

    private static func write(_ conditions: RuleConditions) -> JSONValue {
        .object(["match": .string(conditions.match.rawValue), "clauses": .array(conditions.clauses.map { clause in
            switch clause {
            case .label(let label): .object(["type": "label", "label": .string(label)])
            case .countryIn(let countries): .object(["type": "country_in", "countries": .array(countries.sorted().map(JSONValue.string))])
            case .statusIn(let statuses): .object(["type": "status_in", "statuses": .array(statuses.map(\.rawValue).sorted().map(JSONValue.string))])
            case .metadataEquals(let key, let value): .object(["type": "metadata_equals", "key": .string(key), "value": .string(value)])
            }
        })])
    }

    private static func write(_ action: RuleAction) -> JSONValue {
        var fields: [String: JSONValue] = ["type": .string(action.kind.typeName), "delay_seconds": .integer(action.delaySeconds)]
        switch action.kind {
        case .webhook(let endpoint): fields["endpoint"] = .string(endpoint.rawValue)
        case .topUp(let bytes): fields["bytes"] = .integer(Int64(bytes))
        case .setOffline, .liftHold: break
        }
        return .object(fields)
    }

    private static func write(_ rearm: RearmPolicy) -> JSONValue {
        if case .after(let seconds) = rearm { return .object(["type": "after", "seconds": .integer(seconds)]) }
        return .object(["type": .string(rearm.typeName)])
    }
}

extension JSONValue: ExpressibleByStringLiteral {
    /// A JSON string written as a plain string literal, so `"all"` stands for `.string("all")`.
    init(stringLiteral value: String) { self = .string(value) }
}
