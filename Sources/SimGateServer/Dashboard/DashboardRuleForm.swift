import Foundation
import SimGateCore

/// The rule form as the browser sent it (or as a stored rule fills it), kept as typed so a
/// refused form comes back with every value in place. It is turned into the very JSON body
/// `POST /v1/rules` takes and read by ``RuleRequest``, so the form and the API accept and
/// refuse the same rules, with the same messages.
struct DashboardRuleForm {
    /// Single-valued fields by name, as typed (a ticked checkbox is `on`).
    var text: [String: String] = [:]
    /// Multi-valued fields by name: the statuses a condition accepts, the endpoints to notify.
    var ticked: [String: [String]] = [:]

    /// The names of the single-valued fields the form has.
    static let textFields = [
        "name", "enabled", "account", "trigger", "countries", "limit", "limit_unit", "window", "percent", "status_from", "status_to",
        "hours", "rats", "networks", "scope", "scope_label", "scope_sims", "match", "condition_labels", "condition_countries",
        "condition_metadata", "action_suspend", "suspend_delay", "suspend_delay_unit", "action_lift_hold", "lift_hold_delay",
        "lift_hold_delay_unit", "top_up", "top_up_unit", "top_up_delay", "top_up_delay_unit", "webhook_delay", "webhook_delay_unit",
        "rearm", "rearm_after", "rearm_after_unit",
    ]
    /// The names of the multi-valued fields.
    static let tickedFields = ["condition_statuses", "action_webhook"]

    /// Sizes the data fields are given in: binary units, as the dashboard shows bytes.
    static let byteUnits: [(name: String, bytes: Int64)] = [("B", 1), ("KB", 1 << 10), ("MB", 1 << 20), ("GB", 1 << 30)]
    /// Lengths the time fields are given in, in seconds.
    static let timeUnits: [(name: String, seconds: Int64)] = [("seconds", 1), ("minutes", 60), ("hours", 3_600), ("days", 86_400)]

    /// The form a new rule starts from: a roaming rule, enabled, for every SIM.
    static var blank: DashboardRuleForm {
        DashboardRuleForm(text: [
            "enabled": "on", "trigger": "country_not_in", "limit_unit": "MB", "window": "day", "scope": "all", "match": "all",
            "rearm": "immediately", "rearm_after_unit": "hours", "top_up_unit": "MB",
        ])
    }

    /// The fields posted in `form`.
    init(_ form: FormBody) {
        for name in Self.textFields { text[name] = form[name] }
        for name in Self.tickedFields { ticked[name] = form.all(name) }
    }

    /// A form with these values.
    init(text: [String: String] = [:], ticked: [String: [String]] = [:]) {
        self.text = text
        self.ticked = ticked
    }

    /// The value of `name`, trimmed; `nil` when missing or blank.
    func value(_ name: String) -> String? {
        guard let value = text[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// Whether the checkbox `name` is ticked.
    func isTicked(_ name: String) -> Bool { text[name] != nil }

    /// The rule the form describes, read exactly as the API reads a body; with
    /// `includingAccount` the operator's chosen account is part of it (a new rule only).
    func request(includingAccount: Bool) throws -> RuleRequest {
        try RuleRequest(body(includingAccount: includingAccount).json, partial: false)
    }

    /// The JSON body the form stands for, and for each action in it the form field it came
    /// from (to point at the right field when the API refuses `actions[2]`).
    func body(includingAccount: Bool) -> (json: JSONValue, actionFields: [String]) {
        var fields: [String: JSONValue] = [
            "name": .string(value("name") ?? ""), "enabled": .bool(isTicked("enabled")), "trigger": trigger, "scope": scope,
            "conditions": conditions, "rearm": rearm,
        ]
        if includingAccount, let account = value("account") { fields["account"] = .string(account) }
        let (actions, actionFields) = self.actions
        fields["actions"] = .array(actions)
        return (.object(fields), actionFields)
    }

    private var trigger: JSONValue {
        let type = value("trigger") ?? ""
        var fields: [String: JSONValue] = ["type": .string(type)]
        switch type {
        case "country_not_in": fields["countries"] = Self.list(value("countries"), uppercased: true)
        case "usage_over":
            fields["limit_bytes"] = Self.number(value("limit"), unit: value("limit_unit"), in: Self.byteUnits.map { ($0.name, $0.bytes) })
            fields["window"] = value("window").map(JSONValue.string)
        case "bundle_used": fields["percent"] = Self.number(value("percent"))
        case "status_changed":
            fields["from"] = value("status_from").map(JSONValue.string)
            fields["to"] = value("status_to").map(JSONValue.string)
        case "no_data": fields["hours"] = Self.number(value("hours"))
        case "session_opened":
            fields["rats"] = Self.list(value("rats"), uppercased: false)
            fields["networks"] = Self.list(value("networks"), uppercased: false)
        default: break
        }
        return .object(fields)
    }

    private var scope: JSONValue {
        switch value("scope") ?? "all" {
        case "label": .object(["type": "label", "label": .string(value("scope_label") ?? "")])
        case "sims": .object(["type": "sims", "sims": Self.list(value("scope_sims"), uppercased: false)])
        case let other: .object(["type": .string(other)])
        }
    }

    private var conditions: JSONValue {
        var clauses: [JSONValue] = []
        if case .array(let labels) = Self.list(value("condition_labels"), uppercased: false) {
            clauses += labels.map { .object(["type": "label", "label": $0]) }
        }
        if value("condition_countries") != nil {
            clauses.append(.object(["type": "country_in", "countries": Self.list(value("condition_countries"), uppercased: true)]))
        }
        let statuses = ticked["condition_statuses"] ?? []
        if !statuses.isEmpty { clauses.append(.object(["type": "status_in", "statuses": .array(statuses.map(JSONValue.string))])) }
        for line in (text["condition_metadata"] ?? "").split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            let parts = trimmed.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            let value = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
            clauses.append(.object(["type": "metadata_equals", "key": .string(key), "value": .string(value)]))
        }
        return .object(["match": .string(value("match") ?? "all"), "clauses": .array(clauses)])
    }

    /// The actions in a fixed order (hold, lift, top-up, then each webhook), with the fields they came from.
    private var actions: ([JSONValue], [String]) {
        var actions: [JSONValue] = [], fields: [String] = []
        func add(_ type: String, delayField: String, extra: [String: JSONValue] = [:], from field: String) {
            var action = extra
            action["type"] = .string(type)
            if let delay = Self.number(value(delayField), unit: value(delayField + "_unit"), in: Self.timeUnits.map { ($0.name, $0.seconds) }) {
                action["delay_seconds"] = delay
            }
            actions.append(.object(action))
            fields.append(field)
        }
        if isTicked("action_suspend") { add("set_offline", delayField: "suspend_delay", from: "action_suspend") }
        if isTicked("action_lift_hold") { add("lift_hold", delayField: "lift_hold_delay", from: "action_lift_hold") }
        if value("top_up") != nil {
            let bytes = Self.number(value("top_up"), unit: value("top_up_unit"), in: Self.byteUnits.map { ($0.name, $0.bytes) })
            add("top_up", delayField: "top_up_delay", extra: ["bytes": bytes ?? .null], from: "top_up")
        }
        for endpoint in ticked["action_webhook"] ?? [] {
            add("webhook", delayField: "webhook_delay", extra: ["endpoint": .string(endpoint)], from: "action_webhook")
        }
        return (actions, fields)
    }

    private var rearm: JSONValue {
        let type = value("rearm") ?? "immediately"
        guard type == "after" else { return .object(["type": .string(type)]) }
        var fields: [String: JSONValue] = ["type": "after"]
        fields["seconds"] = Self.number(value("rearm_after"), unit: value("rearm_after_unit"), in: Self.timeUnits.map { ($0.name, $0.seconds) })
        return .object(fields)
    }

    /// Codes or ids typed with commas, spaces or new lines between them, as a JSON list.
    static func list(_ text: String?, uppercased: Bool) -> JSONValue {
        let items = (text ?? "").split { $0 == "," || $0 == ";" || $0.isWhitespace }.map { uppercased ? $0.uppercased() : String($0) }
        return .array(items.map(JSONValue.string))
    }

    /// A typed whole number times its unit's size, as the API would get it. Text that is not a
    /// number goes on as text, and a product too large as a fraction, so that the API's reader
    /// refuses it with its own message; a blank field is left out.
    static func number(_ text: String?, unit: String? = nil, in units: [(String, Int64)] = [("", 1)]) -> JSONValue? {
        guard let text else { return nil }
        let digits = text.filter { $0 != "," && $0 != "_" && !$0.isWhitespace }
        guard let number = Int64(digits) else { return .string(text) }
        // A unit the form does not offer (a hand-built post) was taken for the first one,
        // bytes: `1 XB` became a limit of one byte. It goes on as text, for the API to refuse.
        var size = units[0].1
        if let unit {
            guard let offered = units.first(where: { $0.0 == unit }) else { return .string("\(text) \(unit)") }
            size = offered.1
        }
        let (product, overflow) = number.multipliedReportingOverflow(by: size)
        return overflow ? .number(Double(number) * Double(size)) : .integer(product)
    }
}
