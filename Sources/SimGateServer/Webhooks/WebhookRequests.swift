import Foundation
import SimGateCore

/// Body of `POST /v1/webhook_endpoints` and, with every field optional, of
/// `POST /v1/webhook_endpoints/{id}`.
struct WebhookEndpointRequest: Decodable {
    /// Where deliveries go: an absolute http or https URL; required for a new endpoint.
    let url: String?
    /// The event types to receive, or `*` for all; required for a new endpoint.
    let eventTypes: [String]?
    /// A note about the endpoint, up to 500 characters.
    let description: String?
    /// Whether deliveries go one at a time, in event order; off for a new endpoint unless said.
    let ordered: Bool?
    /// Most deliveries in flight at once, 1 to 50; 5 for a new endpoint unless said.
    let maxConcurrency: Int?
    /// `enabled` or `disabled` (updates only).
    let status: WebhookEndpoint.Status?
    /// The account it is for (operator only; a customer's own otherwise).
    let account: AccountID?

    /// The fields the body may have; any other is refused.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case url, description, ordered, status, account
        case eventTypes = "event_types"
        case maxConcurrency = "max_concurrency"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        url = try container.decodeText(.url, maximumLength: 2_048)
        if let url { try Self.checkURL(url) }
        if let types = try container.decodeIfPresent([String].self, forKey: .eventTypes) {
            guard !types.isEmpty, types.count <= 100 else {
                throw APIError.invalid("invalid_value", "'event_types' lists 1 to 100 event types, or '*' for all.", param: "event_types")
            }
            for (index, type) in types.enumerated() where type != "*" && !EventType.catalogue.contains(EventType(rawValue: type)) {
                throw APIError.invalid("invalid_event_type", "'\(type.prefix(100))' is not an event type SimGate sends.", param: "event_types[\(index)]")
            }
            if let index = RequestText.firstRepeat(in: types) {
                throw APIError.invalid("duplicate_value", "'\(types[index].prefix(100))' is listed twice.", param: "event_types[\(index)]")
            }
            eventTypes = types.sorted()
        } else {
            eventTypes = nil
        }
        description = try container.decodeText(.description, maximumLength: 500)
        ordered = try container.decodeIfPresent(Bool.self, forKey: .ordered)
        maxConcurrency = try container.decodeInteger(.maxConcurrency, in: WebhookEndpoint.concurrencyRange)
        if let text = try container.decodeIfPresent(String.self, forKey: .status) {
            guard let status = WebhookEndpoint.Status(rawValue: text) else {
                throw APIError.invalid("invalid_value", "'status' is enabled or disabled.", param: "status")
            }
            self.status = status
        } else {
            status = nil
        }
        if let text = try container.decodeIfPresent(String.self, forKey: .account) {
            guard let id = AccountID(parsing: text) else { throw APIError.invalid("invalid_id", "'account' must be an id starting with 'acct_'.", param: "account") }
            account = id
        } else {
            account = nil
        }
    }

    /// An absolute http or https URL with a host and no credentials in it.
    static func checkURL(_ text: String) throws {
        // URLComponents takes a space or a control character in a path ("http://example.com/ x"),
        // which no HTTP client sends as written.
        guard !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) else {
            throw APIError.invalid("invalid_url", "'url' must not contain spaces or control characters.", param: "url")
        }
        // A URI is ASCII (RFC 3986): `http://café.com/` was taken, shown back as no URI at all,
        // and never delivered to. An international name is written in its `xn--` form.
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else {
            throw APIError.invalid("invalid_url", "'url' must be ASCII: write an international host name in its xn-- form and percent-encode the rest.", param: "url")
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty
        else {
            throw APIError.invalid("invalid_url", "'url' must be an absolute http:// or https:// URL.", param: "url")
        }
        // A host name is never percent-encoded: `exa%6Dple.com` was kept as written, a name no
        // resolver looks up.
        guard !(components.percentEncodedHost ?? "").contains("%") else {
            throw APIError.invalid("invalid_url", "'url' has a percent-encoded host name; write it plainly.", param: "url")
        }
        guard components.user == nil, components.password == nil else {
            throw APIError.invalid("invalid_url", "'url' must not carry a user name or password.", param: "url")
        }
        // Read from the text: URLComponents has no port for one past 64 bits, so a URL with
        // port 99999999999999999999 was taken, and its deliveries went to port 80.
        if let port = Self.portText(of: text), !(Int(port).map { (1...65_535).contains($0) } ?? false) {
            throw APIError.invalid("invalid_url", "'url' has a port outside 1-65535.", param: "url")
        }
    }

    /// The port written in an absolute URL's authority, if any (nil when none is written).
    static func portText(of text: String) -> Substring? {
        guard let slashes = text.range(of: "//") else { return nil }
        let authority = text[slashes.upperBound...].prefix { !"/?#".contains($0) }
        // An IPv6 literal's colons are inside its brackets.
        let hostEnd = authority.lastIndex(of: "]") ?? authority.startIndex
        guard let colon = authority[hostEnd...].lastIndex(of: ":") else { return nil }
        let port = authority[authority.index(after: colon)...]
        return port.isEmpty ? nil : port
    }
}

/// Body of `POST /v1/webhook_endpoints/{id}/rotate_secret`.
struct RotateSecretRequest: Decodable {
    /// How long the previous secret keeps signing, in seconds (0 to 7 days; a day by default).
    let expiresInSeconds: Int

    /// The fields the body may have; any other is refused.
    enum CodingKeys: String, CodingKey, CaseIterable { case expiresInSeconds = "expires_in_seconds" }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        expiresInSeconds = try container.decodeInteger(.expiresInSeconds, in: 0...(7 * 86_400)) ?? 86_400
    }
}

/// Body of `POST /v1/webhook_endpoints/{id}/replay_failed`.
struct ReplayFailedRequest: Decodable {
    /// Deliveries made from this time on are replayed.
    let since: Date

    /// The fields the body may have; any other is refused.
    enum CodingKeys: String, CodingKey, CaseIterable { case since }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        let text = try container.decode(String.self, forKey: .since)
        guard let since = RFC3339.date(from: text) else {
            throw APIError.invalid("invalid_date", "'since' must be an RFC 3339 time.", param: "since")
        }
        self.since = since
    }
}
