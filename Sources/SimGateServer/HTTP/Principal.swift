import SimGateCore

/// Who a request acts for: an API key and its account.
struct Principal: Sendable {
    /// The API key the request came with.
    let keyID: APIKeyID
    /// The account the key acts for.
    let account: Account
    /// What the key may do: a `read_only` key only reads.
    let scope: APIKey.Scope

    /// Whether the key belongs to the operator's account.
    var isOperator: Bool { account.role == .operator }

    /// Whose hand a SIM command is from: the operator's suspension is one a customer cannot lift.
    var authority: SimAuthority { isOperator ? .operator : .customer }

    /// The account whose objects this caller may see: its own, or every account (`nil`) for the operator.
    var visibleAccountID: AccountID? { isOperator ? nil : account.id }

    /// The cause recorded on changes this caller makes.
    func cause(reason: String?) -> ChangeCause {
        ChangeCause(actor: .apiKey(keyID), reason: reason)
    }

    /// Fails unless the caller is the operator. Customers get 403 rather than 404 here because
    /// the route, not an object, is what is off limits.
    func requireOperator() throws {
        guard isOperator else {
            throw APIError(status: .forbidden, code: "operator_only", message: "Only an operator key may do this.")
        }
    }

    /// The account a caller names for an action, checked against what it may see: a customer
    /// may name only itself (another account is 404, as if it did not exist).
    func resolveAccount(_ requested: AccountID?, param: String) throws -> AccountID {
        guard let requested else { return account.id }
        if !isOperator && requested != account.id {
            throw DomainError.notFound("account", param: param)
        }
        return requested
    }
}
