import Foundation
import SimGateCore
import SimGateStore

/// Accounts as the operator's pages name them: a select to pick one (statements, stock
/// import) and names beside the ids of objects from many accounts (payments).
struct DashboardOperatorAccountDirectory: Sendable {
    /// Reads accounts.
    let accounts: AccountService

    /// Most accounts a select lists; past that the page still works with an id in the link.
    static let maximumChoices = 1_000

    /// Every account (up to ``maximumChoices``), by name.
    func all() async throws -> [Account] {
        var found: [Account] = []
        var after: String?
        while found.count < Self.maximumChoices {
            let page = try await accounts.list(PageRequest(limit: PageRequest.maximumLimit, startingAfter: after))
            found += page.items
            guard page.hasMore, let last = page.items.last else { break }
            after = last.id.rawValue
        }
        return found.sorted { ($0.name.lowercased(), $0.id.rawValue) < ($1.name.lowercased(), $1.id.rawValue) }
    }

    /// Template rows for a `<select>` of `accounts`, with `selected` marked.
    static func choices(_ accounts: [Account], selected: AccountID?) -> [[String: Any]] {
        accounts.map { account in
            ["id": account.id.rawValue, "name": account.name, "selected": account.id == selected, "isOperator": account.role == .operator]
        }
    }

    /// The names of the accounts `ids` lists; an id with no account is left out.
    func names(of ids: Set<AccountID>) async throws -> [AccountID: String] {
        var names: [AccountID: String] = [:]
        for id in ids.sorted() {
            if let account = try await accounts.find(id) { names[id] = account.name }
        }
        return names
    }
}
