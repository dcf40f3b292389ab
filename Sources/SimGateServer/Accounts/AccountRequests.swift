import SimGateCore

/// Body of `POST /v1/accounts`.
struct CreateAccountRequest: Decodable {
    /// The new account's name; required and not blank.
    let name: String

    /// The only field the body may have; any other is refused.
    enum CodingKeys: String, CodingKey, CaseIterable { case name }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        try RequestText.requireNonBlank(name, param: "name", maximumLength: Account.maximumNameLength)
    }
}

/// Body of `POST /v1/accounts/{id}`: fields left out keep their value; a null
/// `radius_interim_interval` returns the account to the server's default.
struct UpdateAccountRequest: Decodable {
    /// The new name; `nil` when the body leaves it out.
    let name: String?
    /// `nil`: unchanged; `.some(nil)`: back to the default.
    let radiusInterimInterval: Int??

    /// The fields the body may have; any other is refused.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name
        case radiusInterimInterval = "radius_interim_interval"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        name = try container.decodeIfGiven(String.self, forKey: .name)
        if let name { try RequestText.requireNonBlank(name, param: "name", maximumLength: Account.maximumNameLength) }
        if container.contains(.radiusInterimInterval) {
            let interval = try container.decodeInteger(.radiusInterimInterval).map { Int(clamping: $0) }
            if let interval, !Account.interimIntervalRange.contains(interval) {
                throw APIError.invalid(
                    "value_out_of_range", "'radius_interim_interval' is \(Account.interimIntervalRange.lowerBound) to \(Account.interimIntervalRange.upperBound) seconds, or null.",
                    param: "radius_interim_interval"
                )
            }
            radiusInterimInterval = .some(interval)
        } else {
            radiusInterimInterval = nil
        }
    }
}

/// Body of `POST /v1/api_keys`.
struct CreateAPIKeyRequest: Decodable {
    /// The key's name; `default` when the body leaves it out.
    let name: String
    /// The account the key acts for; the caller's own when absent.
    let account: AccountID?
    /// `full` (the default) or `read_only`.
    let scope: APIKey.Scope

    /// The fields the body may have; any other is refused.
    enum CodingKeys: String, CodingKey, CaseIterable { case name, account, scope }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? "default"
        try RequestText.requireNonBlank(name, param: "name", maximumLength: APIKey.maximumNameLength)
        account = try container.decodeIdentifier(.account, AccountKind.self)
        let scopeText = try container.decodeIfPresent(String.self, forKey: .scope) ?? APIKey.Scope.full.rawValue
        guard let scope = APIKey.Scope(rawValue: scopeText) else {
            throw APIError.invalid("invalid_value", "'scope' is full or read_only.", param: "scope")
        }
        self.scope = scope
    }
}


extension KeyedDecodingContainer {
    /// An optional prefixed identifier field.
    func decodeIdentifier<Kind: IdentifierKind>(_ key: Key, _: Kind.Type) throws -> TypedID<Kind>? {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let id = TypedID<Kind>(parsing: text) else {
            let path = CodingPathText.render(codingPath + [key])
            throw APIError.invalid("invalid_id", "'\(path)' must be an id starting with '\(Kind.prefix)_'.", param: path)
        }
        return id
    }
}
