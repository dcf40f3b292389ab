import Hummingbird
import SimGateCore
import SimGateStore

/// `/v1/accounts` and `/v1/api_keys`.
struct AccountsController: Sendable {
    let operations: AccountService
    let idempotency: IdempotencyLayer

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

    @Sendable func createAccount(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        try principal.requireOperator()
        let body = try await JSONBody.decode(CreateAccountRequest.self, from: request)
        let account = try await operations.createCustomer(name: body.name, cause: principal.cause(reason: nil))
        return try APIResponse(AccountResource(account), status: .created)
    }

    @Sendable func listAccounts(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let page = try QueryParameters(request, allowed: [], paged: true).page(of: AccountKind.self)
        if !principal.isOperator {
            // A customer's list is itself, and nothing else.
            return try APIResponse(ListResource(url: "/v1/accounts", data: [AccountResource(principal.account)], hasMore: false))
        }
        let accounts = try await operations.list(page)
        return try APIResponse(ListResource(url: "/v1/accounts", page: accounts, AccountResource.init))
    }

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

    @Sendable func createKey(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(CreateAPIKeyRequest.self, from: request)
        let accountID = try principal.resolveAccount(body.account, param: "account")
        let (key, secret) = try await operations.createKey(for: accountID, name: body.name, scope: body.scope, cause: principal.cause(reason: nil))
        return try APIResponse(APIKeyResource(key, secret: secret), withoutSecret: APIKeyResource(key), status: .created)
    }

    @Sendable func listKeys(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let query = try QueryParameters(request, allowed: ["account"], paged: true)
        let requested = try query.identifier("account", AccountKind.self)
        let accountID: AccountID? = principal.isOperator ? requested : try principal.resolveAccount(requested, param: "account")
        let page = try query.page(of: APIKeyKind.self)
        let keys = try await operations.listKeys(accountID: accountID, page)
        return try APIResponse(ListResource(url: "/v1/api_keys", page: keys) { APIKeyResource($0) })
    }

    @Sendable func getKey(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try QueryParameters(request, allowed: [])
        guard let id = APIKeyID(parsing: try context.parameters.require("id")),
              let key = try await operations.findKey(id, visibleAccountID: principal.visibleAccountID)
        else { throw DomainError.notFound("API key") }
        return try APIResponse(APIKeyResource(key))
    }

    @Sendable func revokeKey(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try QueryParameters(request, allowed: [])
        guard let id = APIKeyID(parsing: try context.parameters.require("id")) else { throw DomainError.notFound("API key") }
        let key = try await operations.revokeKey(id, visibleAccountID: principal.visibleAccountID, cause: principal.cause(reason: nil))
        return try APIResponse(APIKeyResource(key))
    }
}
