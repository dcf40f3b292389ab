import Foundation
import SimGateCore

/// Reads rule definitions from JSON, strictly: an unknown field, type or value is a 400
/// naming the field (`trigger.countries[1]`), before anything is stored.
struct RuleDefinitionReader {
    /// Reads `scope` (default: every SIM).
    func scope(_ value: JSONValue?) throws -> RuleScope {
        guard let value else { return .allSims }
        let fields = try object(value, "scope", allowed: ["type", "label", "sims"])
        let type = try string(fields["type"], "scope.type")
        try onlyFields(of: type, in: fields, "scope", ["all": [], "label": ["label"], "sims": ["sims"]])
        switch type {
        case "all": return .allSims
        case "label": return .label(try label(fields["label"], "scope.label"))
        case "sims":
            let texts = try strings(fields["sims"], "scope.sims", maximum: RuleScope.maximumSims)
            guard !texts.isEmpty else { throw invalid("scope.sims", "lists at least one SIM") }
            return .sims(Set(try texts.enumerated().map { index, text in
                guard let id = SimID(parsing: text) else { throw invalid("scope.sims[\(index)]", "must be an id starting with 'sim_'", code: "invalid_id") }
                return id
            }))
        default: throw invalid("scope.type", "is all, label or sims")
        }
    }

    /// Reads `trigger`, which is required.
    func trigger(_ value: JSONValue?) throws -> RuleTrigger {
        guard let value else { throw APIError.invalid("parameter_missing", "'trigger' is required.", param: "trigger") }
        let fields = try object(value, "trigger", allowed: ["type", "limit_bytes", "window", "percent", "countries", "from", "to", "hours", "rats", "networks"])
        let type = try string(fields["type"], "trigger.type")
        let allowedFields: [String: Set<String>] = [
            "usage_over": ["limit_bytes", "window"], "bundle_used": ["percent"], "country_not_in": ["countries"], "status_changed": ["from", "to"],
            "no_data": ["hours"], "session_opened": ["rats", "networks"],
        ]
        guard RuleTrigger.typeNames.contains(type) else {
            throw APIError.invalid("invalid_trigger", "'trigger.type' is one of \(RuleTrigger.typeNames.joined(separator: ", ")).", param: "trigger.type")
        }
        if let extra = fields.keys.sorted().first(where: { $0 != "type" && !(allowedFields[type] ?? []).contains($0) }) {
            throw APIError.invalid("unknown_parameter", "A \(type) trigger has no field '\(extra)'.", param: "trigger.\(extra)")
        }
        switch type {
        case "usage_over":
            let limit = try integer(fields["limit_bytes"], "trigger.limit_bytes", in: 1...Int64(RuleTrigger.maximumLimitBytes))
            guard let window = UsageWindow(rawValue: try string(fields["window"], "trigger.window")) else {
                throw invalid("trigger.window", "is one of \(UsageWindow.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return .usageOver(limitBytes: UInt64(limit), window: window)
        case "bundle_used": return .bundleUsed(percent: Int(try integer(fields["percent"], "trigger.percent", in: 1...100)))
        case "country_not_in": return .countryNotIn(try countries(fields["countries"], "trigger.countries"))
        case "status_changed":
            let from = try fields["from"].flatMap { $0 == .null ? nil : $0 }.map { try status($0, "trigger.from") }
            let to = try fields["to"].flatMap { $0 == .null ? nil : $0 }.map { try status($0, "trigger.to") }
            if let from, from == to { throw invalid("trigger.to", "differs from 'trigger.from': a SIM never changes from a status to itself") }
            return .statusChanged(from: from, to: to)
        case "no_data": return .noData(hours: Int(try integer(fields["hours"], "trigger.hours", in: 1...Int64(RuleTrigger.maximumNoDataHours))))
        case "session_opened":
            let rats = try fields["rats"].map { try strings($0, "trigger.rats", maximum: 20) } ?? []
            for (index, rat) in rats.enumerated() where !RadioAccessTechnology.names.contains(rat) {
                throw invalid("trigger.rats[\(index)]", "is a radio access technology: \(RadioAccessTechnology.names.sorted().joined(separator: ", "))")
            }
            let networks = try fields["networks"].map { try strings($0, "trigger.networks", maximum: 100) } ?? []
            for (index, network) in networks.enumerated() where !(5...6).contains(network.count) || !network.allSatisfy({ $0.isASCII && $0.isNumber }) {
                throw invalid("trigger.networks[\(index)]", "is an MCC-MNC of 5 or 6 digits, such as 26201")
            }
            return .sessionOpened(rats: Set(rats), networks: Set(networks))
        case "country_changed": return .countryChanged
        case "first_use": return .firstUse
        case "device_changed": return .deviceChanged
        case "payment_failed": return .paymentFailed
        default: return .entitlementLapsed
        }
    }

    /// Reads `conditions` (default: none).
    func conditions(_ value: JSONValue?) throws -> RuleConditions {
        guard let value, value != .null else { return RuleConditions() }
        let fields = try object(value, "conditions", allowed: ["match", "clauses"])
        let matchText = try fields["match"].map { try string($0, "conditions.match") } ?? "all"
        guard let match = RuleConditions.Match(rawValue: matchText) else { throw invalid("conditions.match", "is all or any") }
        guard let clauses = fields["clauses"] else { return RuleConditions(match: match) }
        guard case .array(let items) = clauses else { throw invalid("conditions.clauses", "must be a list", code: "invalid_type") }
        guard items.count <= RuleConditions.maximumClauses else { throw invalid("conditions.clauses", "has at most \(RuleConditions.maximumClauses) clauses") }
        return RuleConditions(match: match, clauses: try items.enumerated().map { index, item in
            let path = "conditions.clauses[\(index)]"
            let clause = try object(item, path, allowed: ["type", "label", "countries", "statuses", "key", "value"])
            let type = try string(clause["type"], "\(path).type")
            try onlyFields(of: type, in: clause, path, [
                "label": ["label"], "country_in": ["countries"], "status_in": ["statuses"], "metadata_equals": ["key", "value"],
            ])
            switch type {
            case "label": return .label(try label(clause["label"], "\(path).label"))
            case "country_in": return .countryIn(try countries(clause["countries"], "\(path).countries"))
            case "status_in":
                let texts = try strings(clause["statuses"], "\(path).statuses", maximum: 5)
                guard !texts.isEmpty else { throw invalid("\(path).statuses", "lists at least one status") }
                return .statusIn(Set(try texts.enumerated().map { try status(.string($1), "\(path).statuses[\($0)]") }))
            case "metadata_equals":
                let key = try string(clause["key"], "\(path).key")
                guard (1...40).contains(key.count) else { throw invalid("\(path).key", "has 1 to 40 characters") }
                let value = try string(clause["value"], "\(path).value")
                guard value.count <= 500 else { throw invalid("\(path).value", "has at most 500 characters") }
                return .metadataEquals(key: key, value: value)
            default: throw invalid("\(path).type", "is label, country_in, status_in or metadata_equals")
            }
        })
    }

    /// Reads `actions`: one to ten.
    func actions(_ value: JSONValue?) throws -> [RuleAction] {
        guard let value else { throw APIError.invalid("parameter_missing", "'actions' is required: at least one action.", param: "actions") }
        guard case .array(let items) = value else { throw invalid("actions", "must be a list", code: "invalid_type") }
        guard (1...RuleAction.maximumCount).contains(items.count) else {
            throw invalid("actions", "lists 1 to \(RuleAction.maximumCount) actions", code: items.isEmpty ? "empty_actions" : "invalid_value")
        }
        return try items.enumerated().map { index, item in
            let path = "actions[\(index)]"
            let fields = try object(item, path, allowed: ["type", "endpoint", "bytes", "delay_seconds"])
            let delay = try fields["delay_seconds"].map { try integer($0, "\(path).delay_seconds", in: 0...RuleAction.maximumDelaySeconds) } ?? 0
            let type = try string(fields["type"], "\(path).type")
            let extra = fields.keys.sorted().first { key in
                key != "type" && key != "delay_seconds" && !(type == "webhook" && key == "endpoint") && !(type == "top_up" && key == "bytes")
            }
            if let extra { throw APIError.invalid("unknown_parameter", "A \(type) action has no field '\(extra)'.", param: "\(path).\(extra)") }
            switch type {
            case "webhook":
                let text = try string(fields["endpoint"], "\(path).endpoint")
                guard let endpoint = WebhookEndpointID(parsing: text) else { throw invalid("\(path).endpoint", "must be an id starting with 'we_'", code: "invalid_id") }
                return RuleAction(.webhook(endpoint: endpoint), delaySeconds: delay)
            case "set_offline": return RuleAction(.setOffline, delaySeconds: delay)
            case "lift_hold": return RuleAction(.liftHold, delaySeconds: delay)
            case "top_up":
                return RuleAction(.topUp(bytes: UInt64(try integer(fields["bytes"], "\(path).bytes", in: 1...Int64(DataBundle.maximumBytes)))), delaySeconds: delay)
            default: throw invalid("\(path).type", "is webhook, set_offline, lift_hold or top_up", code: "invalid_action")
            }
        }
    }

    /// Reads `rearm` (default: immediately).
    func rearm(_ value: JSONValue?) throws -> RearmPolicy {
        guard let value else { return .immediately }
        let fields = try object(value, "rearm", allowed: ["type", "seconds"])
        let type = try string(fields["type"], "rearm.type")
        try onlyFields(of: type, in: fields, "rearm", ["immediately": [], "next_day": [], "next_month": [], "never": [], "after": ["seconds"]])
        switch type {
        case "immediately": return .immediately
        case "next_day": return .nextDay
        case "next_month": return .nextMonth
        case "never": return .never
        case "after": return .after(seconds: try integer(fields["seconds"], "rearm.seconds", in: 1...RearmPolicy.maximumSeconds))
        default: throw invalid("rearm.type", "is immediately, next_day, next_month, after or never")
        }
    }

    /// Reads a whole stored definition.
    func definition(_ value: JSONValue) throws -> RuleDefinition {
        let fields = try object(value, "definition", allowed: ["scope", "trigger", "conditions", "actions", "rearm"])
        return RuleDefinition(
            scope: try scope(fields["scope"]), trigger: try trigger(fields["trigger"]), conditions: try conditions(fields["conditions"]),
            actions: try actions(fields["actions"]), rearm: try rearm(fields["rearm"])
        )
    }

    // MARK: Values

    /// Refuses a field that the object's `type` does not take (`{"type": "all", "sims": [...]}`
    /// was read as every SIM, its list dropped unseen). A type not in `fieldsByType` is left
    /// for the caller to refuse.
    private func onlyFields(of type: String, in fields: [String: JSONValue], _ path: String, _ fieldsByType: [String: Set<String>]) throws {
        guard let allowed = fieldsByType[type] else { return }
        if let extra = fields.keys.sorted().first(where: { $0 != "type" && !allowed.contains($0) }) {
            throw APIError.invalid("unknown_parameter", "'\(path)' of type \(type) has no field '\(extra)'.", param: "\(path).\(extra)")
        }
    }

    /// The fields of the object at `path`; anything but an object, or a field not in `allowed`, is refused.
    func object(_ value: JSONValue, _ path: String, allowed: Set<String>) throws -> [String: JSONValue] {
        guard case .object(let fields) = value else { throw invalid(path, "must be an object", code: "invalid_type") }
        if let extra = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError.invalid("unknown_parameter", "Unknown field '\(path).\(extra)'.", param: "\(path).\(extra)")
        }
        return fields
    }

    /// The text at `path`; refused when missing or not a string.
    func string(_ value: JSONValue?, _ path: String) throws -> String {
        guard let value else { throw APIError.invalid("parameter_missing", "'\(path)' is required.", param: path) }
        guard case .string(let text) = value else { throw invalid(path, "must be a string", code: "invalid_type") }
        return text
    }

    /// The list of distinct strings at `path`, with at most `maximum` entries. Every list of a
    /// rule is a set: an entry given twice is refused (compared byte for byte), as the schema's
    /// `uniqueItems` says, rather than dropped unseen.
    func strings(_ value: JSONValue?, _ path: String, maximum: Int) throws -> [String] {
        guard let value else { throw APIError.invalid("parameter_missing", "'\(path)' is required.", param: path) }
        guard case .array(let items) = value else { throw invalid(path, "must be a list", code: "invalid_type") }
        guard items.count <= maximum else { throw invalid(path, "has at most \(maximum) entries") }
        let texts = try items.enumerated().map { try string($1, "\(path)[\($0)]") }
        if let index = RequestText.firstRepeat(in: texts) { throw invalid("\(path)[\(index)]", "is listed twice", code: "duplicate_value") }
        return texts
    }

    /// The whole number at `path`, refused when outside `range`.
    func integer(_ value: JSONValue?, _ path: String, in range: ClosedRange<Int64>) throws -> Int64 {
        guard let value else { throw APIError.invalid("parameter_missing", "'\(path)' is required.", param: path) }
        guard case .integer(let number) = value else {
            if case .number = value { throw APIError.invalid("value_out_of_range", "'\(path)' is \(range.lowerBound) to \(range.upperBound).", param: path) }
            throw invalid(path, "must be a whole number", code: "invalid_type")
        }
        guard range.contains(number) else {
            throw APIError.invalid("value_out_of_range", "'\(path)' is \(range.lowerBound) to \(range.upperBound).", param: path)
        }
        return number
    }

    private func label(_ value: JSONValue?, _ path: String) throws -> String {
        let text = try string(value, path)
        do throws(ValidationError) { _ = try SimLabels([text]) } catch { throw error.at(path) }
        return text
    }

    private func countries(_ value: JSONValue?, _ path: String) throws -> Set<String> {
        let codes = try strings(value, path, maximum: 300)
        guard !codes.isEmpty else { throw invalid(path, "lists at least one country") }
        for (index, code) in codes.enumerated() where !CountryCodes.isCountryCode(code) {
            throw invalid("\(path)[\(index)]", "must be an ISO 3166-1 alpha-2 country code in capitals, such as DE", code: "invalid_country")
        }
        return Set(codes)
    }

    private func status(_ value: JSONValue, _ path: String) throws -> SimStatus {
        guard let status = SimStatus(rawValue: try string(value, path)) else {
            throw invalid(path, "is one of INVENTORY, LIVE, OFFLINE, UNPROVISIONED, RETIRED")
        }
        return status
    }

    private func invalid(_ path: String, _ problem: String, code: String = "invalid_value") -> APIError {
        APIError.invalid(code, "'\(path)' \(problem).", param: path)
    }
}
