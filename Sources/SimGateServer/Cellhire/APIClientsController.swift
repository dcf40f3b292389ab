import Hummingbird
import SimGateCore

/// `/v1/api_clients`: OAuth client credentials for the Cellhire-compatible API.
struct APIClientsController: Sendable {
    /// Issues, lists and revokes clients.
    let clients: APIClientService
    /// Replays a POST retried with the same `Idempotency-Key`.
    let idempotency: IdempotencyLayer

    /// Registers the routes on the authenticated API group.
    func addRoutes(to group: RouterGroup<SimGateRequestContext>) {
        group.post("api_clients", use: idempotency.wrap(create))
        group.get("api_clients", use: list)
        group.get("api_clients/{id}", use: get)
        group.delete("api_clients/{id}", use: revoke)
    }

    /// `POST /v1/api_clients`: new credentials (for another account only by the operator); the secret is shown once.
    @Sendable func create(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(CreateAPIClientRequest.self, from: request)
        let accountID = try principal.resolveAccount(body.account, param: "account")
        let (client, secret) = try await clients.create(for: accountID, name: body.name, cause: principal.cause(reason: nil))
        return try APIResponse(APIClientResource(client, secret: secret), withoutSecret: APIClientResource(client), status: .created)
    }

    /// `GET /v1/api_clients`: the clients the caller may see.
    @Sendable func list(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let query = try QueryParameters(request, allowed: ["account"], paged: true)
        let requested = try query.identifier("account", AccountKind.self)
        let accountID: AccountID? = principal.isOperator ? requested : try principal.resolveAccount(requested, param: "account")
        let page = try await clients.list(accountID: accountID, try query.page(of: APIClientKind.self))
        return try APIResponse(ListResource(url: "/v1/api_clients", page: page) { APIClientResource($0) })
    }

    /// `GET /v1/api_clients/{id}`: one client, without its secret.
    @Sendable func get(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try QueryParameters(request, allowed: [])
        guard let id = APIClientID(parsing: try context.parameters.require("id")) else { throw DomainError.notFound("API client") }
        return try APIResponse(APIClientResource(try await clients.find(id, visibleAccountID: principal.visibleAccountID)))
    }

    /// `DELETE /v1/api_clients/{id}`: revokes the client and ends its tokens.
    @Sendable func revoke(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try QueryParameters(request, allowed: [])
        guard let id = APIClientID(parsing: try context.parameters.require("id")) else { throw DomainError.notFound("API client") }
        return try APIResponse(APIClientResource(try await clients.revoke(id, visibleAccountID: principal.visibleAccountID, cause: principal.cause(reason: nil))))
    }
}
