import Foundation
import SimGateCore

/// A tariff as the API shows it. Customers see only tariffs offered to them, without the
/// list of other accounts.
struct TariffResource: Codable, Equatable, Sendable {
    /// Always `tariff`.
    let object: String
    /// The tariff number (Cellhire's `tariffNumber`).
    let number: Int
    /// What the operator calls it.
    let name: String
    /// `standard` or `aofu`.
    let kind: String
    /// The accounts offered the tariff; `null` in a customer's view.
    let accounts: [String]?
    /// When it was created.
    let createdAt: Date
    /// When its name or accounts last changed.
    let updatedAt: Date

    /// The JSON field names, snake_case as the API writes them.
    enum CodingKeys: String, CodingKey {
        case object, number, name, kind, accounts
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// The API's view of `tariff`; `showsAccounts` for the operator.
    init(_ tariff: Tariff, showsAccounts: Bool) {
        object = "tariff"
        number = tariff.number
        name = tariff.name
        kind = tariff.kind.rawValue
        accounts = showsAccounts ? tariff.accounts.map(\.rawValue).sorted() : nil
        createdAt = tariff.createdAt
        updatedAt = tariff.updatedAt
    }

    /// Written out by hand so that `accounts` is `null` in a customer's view, as the OpenAPI
    /// document has it, rather than left out.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(object, forKey: .object)
        try container.encode(number, forKey: .number)
        try container.encode(name, forKey: .name)
        try container.encode(kind, forKey: .kind)
        try container.encode(accounts, forKey: .accounts)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}
