import Foundation
import SimGateCore

/// The new-endpoint form as typed. It becomes the JSON body `POST /v1/webhook_endpoints`
/// takes and is decoded by the API's own strict decoder, so the form is refused exactly when
/// the API would refuse the same values, with the same message.
struct DashboardEndpointForm {
    /// The fields by name, as typed (a ticked checkbox is `on`).
    var text: [String: String]

    /// The fields the form has.
    static let fields = ["url", "description", "event_types", "ordered", "max_concurrency", "account"]

    /// The form an endpoint starts from: every event type, five deliveries at once.
    static var blank: DashboardEndpointForm { DashboardEndpointForm(text: ["event_types": "*", "max_concurrency": "5"]) }

    /// A form with these values.
    init(text: [String: String]) { self.text = text }

    /// The fields posted in `form`.
    init(_ form: FormBody) {
        text = [:]
        for name in Self.fields { text[name] = form[name] }
    }

    private func value(_ name: String) -> String? {
        guard let value = text[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// The endpoint the form describes, read as the API reads a body; with `includingAccount`
    /// the operator's chosen account is part of it.
    func request(includingAccount: Bool) throws -> WebhookEndpointRequest {
        var body: [String: JSONValue] = [
            "url": .string(value("url") ?? ""), "ordered": .bool(text["ordered"] != nil),
            "event_types": DashboardRuleForm.list(value("event_types"), uppercased: false),
        ]
        if let description = value("description") { body["description"] = .string(description) }
        if let concurrency = DashboardRuleForm.number(value("max_concurrency")) { body["max_concurrency"] = concurrency }
        if includingAccount, let account = value("account") { body["account"] = .string(account) }
        return try JSONBody.decode(WebhookEndpointRequest.self, from: try JSONEncoder().encode(JSONValue.object(body)))
    }

    /// The template values that fill the form again.
    var pageValues: [String: Any] {
        var values: [String: Any] = [:]
        for name in Self.fields { values["e_" + name] = text[name] ?? "" }
        values["e_checked_ordered"] = text["ordered"] != nil
        return values
    }

    /// The body `{"status": ...}` that enables or disables an endpoint, read as the API reads it.
    static func statusChange(_ status: String) throws -> WebhookEndpointRequest {
        try JSONBody.decode(WebhookEndpointRequest.self, from: try JSONEncoder().encode(JSONValue.object(["status": .string(status)])))
    }
}
