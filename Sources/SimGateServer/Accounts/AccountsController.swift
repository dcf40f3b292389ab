import Hummingbird
import SimGateCore
import SimGateStore

/// `/v1/accounts` and `/v1/api_keys`.
struct AccountsController: Sendable {
    /// The account and key operations the routes call.
    let operations: AccountService
    /// Wraps the POST routes so a resent `Idempotency-Key` gets the first answer back.
    let idempotency: IdempotencyLayer

    /// Adds the account and API key routes to the authenticated `/v1` group.
    func addRoutes(to group: RouterGroup<SimGateRequestContext>) {
        group.post("accounts", use: idempotency.wrap(createAccount))
        group.get("accounts", use: listAccounts)
        group.get("accounts/{id}", use: getAccount)
        group.post("accounts/{id}", use: idempotency.wrap(updateAccount))
        group.post("api_keys", use: idempotency.wrap(createKey))
        group.get("api_keys", use: listKeys)
        group.get("api_keys/{id}", use: getKey)
        group.delete("api_keys/{id}", use: revokeKey)
    }

    /// `POST /v1/accounts`: creates a customer account (operator only); 201 with the account.
    @Sendable func createAccount(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        try principal.requireOperator()
        let body = try await JSONBody.decode(CreateAccountRequest.self, from: request)
        let account = try await operations.createCustomer(name: body.name, cause: principal.cause(reason: nil))
        return try APIResponse(AccountResource(account), status: .created)
    }

    /// `GET /v1/accounts`: every account for the operator; for a customer, only its own.
    @Sendable func listAccounts(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let page = try QueryParameters(request, allowed: [], paged: true).page(of: AccountKind.self)
        if !principal.isOperator {
            // A customer's list is itself, and nothing else, paged like any list (newest
            // first): its account is after a cursor with a greater id, before one with a smaller.
            let own = principal.account
            let shown = page.startingAfter.map { own.id.rawValue < $0 } ?? page.endingBefore.map { own.id.rawValue > $0 } ?? true
            return try APIResponse(ListResource(url: "/v1/accounts", data: shown ? [AccountResource(own)] : [], hasMore: false))
        }
        let accounts = try await operations.list(page)
        return try APIResponse(ListResource(url: "/v1/accounts", page: accounts, AccountResource.init))
    }

    /// `GET /v1/accounts/{id}`: the account, if the key may see it (a customer only its own).
    @Sendable func getAccount(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try QueryParameters(request, allowed: [])
        guard let id = AccountID(parsing: try context.parameters.require("id")),
              principal.isOperator || id == principal.account.id,
              let account = try await operations.find(id)
        else { throw DomainError.notFound("account") }
        return try APIResponse(AccountResource(account))
    }

    /// The operator may change any account; a customer only its own.
    @Sendable func updateAccount(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        guard let id = AccountID(parsing: try context.parameters.require("id")), principal.isOperator || id == principal.account.id else {
            throw DomainError.notFound("account")
        }
        let body = try await JSONBody.decode(UpdateAccountRequest.self, from: request)
        let account = try await operations.update(id, name: body.name, radiusInterimInterval: body.radiusInterimInterval, cause: principal.cause(reason: nil))
        return try APIResponse(AccountResource(account))
    }

    /// `POST /v1/api_keys`: a new key (for another account only by the operator); 201, secret shown once.
    @Sendable func createKey(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(CreateAPIKeyRequest.self, from: request)
        let accountID = try principal.resolveAccount(body.account, param: "account")
        let (key, secret) = try await operations.createKey(for: accountID, name: body.name, scope: body.scope, cause: principal.cause(reason: nil))
        return try APIResponse(APIKeyResource(key, secret: secret), withoutSecret: APIKeyResource(key), status: .created)
    }

    /// `GET /v1/api_keys`: the keys the caller may see, optionally of one `account`.
    @Sendable func listKeys(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let query = try QueryParameters(request, allowed: ["account"], paged: true)
        let requested = try query.identifier("account", AccountKind.self)
        let accountID: AccountID? = principal.isOperator ? requested : try principal.resolveAccount(requested, param: "account")
        let page = try query.page(of: APIKeyKind.self)
        let keys = try await operations.listKeys(accountID: accountID, page)
        return try APIResponse(ListResource(url: "/v1/api_keys", page: keys) { APIKeyResource($0) })
    }

    /// `GET /v1/api_keys/{id}`: the key, without its secret, if the caller may see it.
    @Sendable func getKey(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try QueryParameters(request, allowed: [])
        guard let id = APIKeyID(parsing: try context.parameters.require("id")),
              let key = try await operations.findKey(id, visibleAccountID: principal.visibleAccountID)
        else { throw DomainError.notFound("API key") }
        return try APIResponse(APIKeyResource(key))
    }

    /// `DELETE /v1/api_keys/{id}`: revokes the key and answers it; refused for the operator's last full key.
    @Sendable func revokeKey(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try QueryParameters(request, allowed: [])
        guard let id = APIKeyID(parsing: try context.parameters.require("id")) else { throw DomainError.notFound("API key") }
        let key = try await operations.revokeKey(id, visibleAccountID: principal.visibleAccountID, cause: principal.cause(reason: nil))
        return try APIResponse(APIKeyResource(key))
    }
}
