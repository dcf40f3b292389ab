import SimGateCore

/// Body of `POST /v1/tariffs`.
struct CreateTariffRequest: Decodable {
    /// The tariff number, 1 to 2147483647, unique.
    let number: Int
    /// What the operator calls it.
    let name: String
    /// `standard` or `aofu`.
    let kind: Tariff.Kind
    /// The accounts offered it; none when left out.
    let accounts: Set<AccountID>

    /// The fields the body may have; any other is refused.
    enum CodingKeys: String, CodingKey, CaseIterable { case number, name, kind, accounts }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        number = try container.requireInteger(.number, in: 1...Tariff.maximumNumber)
        name = try container.decode(String.self, forKey: .name)
        try RequestText.requireNonBlank(name, param: "name", maximumLength: 200)
        let kindText = try container.decode(String.self, forKey: .kind)
        guard let kind = Tariff.Kind(rawValue: kindText) else {
            throw APIError.invalid("invalid_value", "'kind' is standard or aofu.", param: "kind")
        }
        self.kind = kind
        accounts = try Self.accounts(in: container) ?? []
    }

    /// The `accounts` list, each an `acct_` id.
    static func accounts<Keys: CodingKey>(in container: KeyedDecodingContainer<Keys>) throws -> Set<AccountID>? {
        guard let key = Keys(stringValue: "accounts"), let texts = try container.decodeIfGiven([String].self, forKey: key) else { return nil }
        guard texts.count <= 1_000 else { throw APIError.invalid("invalid_value", "'accounts' holds at most 1000 accounts.", param: "accounts") }
        return Set(try texts.enumerated().map { index, text in
            guard let id = AccountID(parsing: text) else {
                throw APIError.invalid("invalid_id", "'accounts[\(index)]' must be an id starting with 'acct_'.", param: "accounts[\(index)]")
            }
            return id
        })
    }
}

/// Body of `POST /v1/tariffs/{number}`: a new name, or the whole list of accounts offered it.
struct UpdateTariffRequest: Decodable {
    /// The new name, if it changes.
    let name: String?
    /// The accounts offered the tariff from now on, if they change.
    let accounts: Set<AccountID>?

    /// The fields the body may have; any other is refused.
    enum CodingKeys: String, CodingKey, CaseIterable { case name, accounts, number, kind }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        if container.contains(.number) || container.contains(.kind) {
            throw APIError.invalid("immutable_parameter", "A tariff's number and kind cannot change.", param: container.contains(.number) ? "number" : "kind")
        }
        name = try container.decodeIfGiven(String.self, forKey: .name)
        if let name { try RequestText.requireNonBlank(name, param: "name", maximumLength: 200) }
        accounts = try CreateTariffRequest.accounts(in: container)
    }
}
