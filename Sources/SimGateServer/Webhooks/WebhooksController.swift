import Foundation
import Hummingbird
import SimGateCore
import SimGateStore

/// `/v1/webhook_endpoints` and `/v1/webhook_deliveries`: where an account's events are sent,
/// the log of every attempt, test messages and replays.
struct WebhooksController: Sendable {
    /// Endpoints and their deliveries.
    let endpoints: WebhookEndpointService
    /// Replays a POST retried with the same `Idempotency-Key`.
    let idempotency: IdempotencyLayer

    /// Registers the routes on the authenticated API group.
    func addRoutes(to group: RouterGroup<SimGateRequestContext>) {
        group.post("webhook_endpoints", use: idempotency.wrap(create))
        group.get("webhook_endpoints", use: list)
        group.get("webhook_endpoints/{id}", use: get)
        group.post("webhook_endpoints/{id}", use: idempotency.wrap(update))
        group.delete("webhook_endpoints/{id}", use: delete)
        group.post("webhook_endpoints/{id}/rotate_secret", use: idempotency.wrap(rotateSecret))
        group.post("webhook_endpoints/{id}/test", use: idempotency.wrap(sendTest))
        group.post("webhook_endpoints/{id}/replay_failed", use: idempotency.wrap(replayFailed))
        group.get("webhook_endpoints/{id}/deliveries", use: deliveries)
        group.get("webhook_deliveries/{id}", use: delivery)
        group.post("webhook_deliveries/{id}/replay", use: idempotency.wrap(replay))
    }

    /// `POST /v1/webhook_endpoints`: a new endpoint, its secret shown this once.
    @Sendable func create(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(WebhookEndpointRequest.self, from: request)
        let accountID = try principal.resolveAccount(body.account, param: "account")
        let (endpoint, secret) = try await endpoints.create(body, accountID: accountID, cause: principal.cause(reason: nil))
        return try APIResponse(WebhookEndpointResource(endpoint, secret: secret), withoutSecret: WebhookEndpointResource(endpoint), status: .created)
    }

    /// `GET /v1/webhook_endpoints`: the caller's endpoints, newest first.
    @Sendable func list(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let query = try QueryParameters(request, allowed: [], paged: true)
        let page = try await endpoints.list(visibleAccountID: principal.visibleAccountID, try query.page(of: WebhookEndpointKind.self))
        return try APIResponse(ListResource(url: "/v1/webhook_endpoints", page: page) { WebhookEndpointResource($0) })
    }

    /// `GET /v1/webhook_endpoints/{id}`.
    @Sendable func get(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try QueryParameters(request, allowed: [])
        return try APIResponse(WebhookEndpointResource(try await endpoints.find(try endpointID(context), visibleAccountID: principal.visibleAccountID)))
    }

    /// `POST /v1/webhook_endpoints/{id}`: changes URL, types, ordering, concurrency or status.
    @Sendable func update(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(WebhookEndpointRequest.self, from: request)
        let endpoint = try await endpoints.update(try endpointID(context), body, visibleAccountID: principal.visibleAccountID, cause: principal.cause(reason: nil))
        return try APIResponse(WebhookEndpointResource(endpoint))
    }

    /// `DELETE /v1/webhook_endpoints/{id}`.
    @Sendable func delete(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try QueryParameters(request, allowed: [])
        let endpoint = try await endpoints.delete(try endpointID(context), visibleAccountID: principal.visibleAccountID, cause: principal.cause(reason: nil))
        return try APIResponse(DeletedResource(id: endpoint.id.rawValue, object: "webhook_endpoint", deleted: true))
    }

    /// `POST /v1/webhook_endpoints/{id}/rotate_secret`: a new secret, shown once; the old one
    /// keeps signing beside it for `expires_in_seconds`.
    @Sendable func rotateSecret(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(RotateSecretRequest.self, from: request)
        let (endpoint, secret) = try await endpoints.rotateSecret(
            try endpointID(context), overlap: body.expiresInSeconds, visibleAccountID: principal.visibleAccountID, cause: principal.cause(reason: nil)
        )
        return try APIResponse(WebhookEndpointResource(endpoint, secret: secret), withoutSecret: WebhookEndpointResource(endpoint))
    }

    /// `POST /v1/webhook_endpoints/{id}/test`: queues a test message to the endpoint.
    @Sendable func sendTest(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try await JSONBody.decode(EmptyRequest.self, from: request)
        let delivery = try await endpoints.sendTest(try endpointID(context), visibleAccountID: principal.visibleAccountID)
        return try APIResponse(WebhookDeliveryResource(delivery), status: .accepted)
    }

    /// `POST /v1/webhook_endpoints/{id}/replay_failed`: sends again every failed delivery since `since`.
    @Sendable func replayFailed(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(ReplayFailedRequest.self, from: request)
        let count = try await endpoints.replayFailed(try endpointID(context), since: body.since, visibleAccountID: principal.visibleAccountID)
        return try APIResponse(ReplayCount(object: "replay", replayed: count), status: .accepted)
    }

    /// `GET /v1/webhook_endpoints/{id}/deliveries`: the endpoint's deliveries, newest first, by `state`.
    @Sendable func deliveries(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let query = try QueryParameters(request, allowed: ["state"], paged: true)
        var state: WebhookDelivery.State?
        if let text = query.all("state").first {
            guard let parsed = WebhookDelivery.State(rawValue: text) else {
                throw APIError.invalid("invalid_value", "'state' is one of \(WebhookDelivery.State.allCases.map(\.rawValue).joined(separator: ", ")).", param: "state")
            }
            state = parsed
        }
        let id = try endpointID(context)
        let page = try await endpoints.deliveries(of: id, state: state, visibleAccountID: principal.visibleAccountID, try query.page(of: WebhookDeliveryKind.self))
        return try APIResponse(ListResource(url: "/v1/webhook_endpoints/\(id)/deliveries", page: page) { WebhookDeliveryResource($0) })
    }

    /// `GET /v1/webhook_deliveries/{id}`: a delivery with every attempt.
    @Sendable func delivery(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try QueryParameters(request, allowed: [])
        let (delivery, attempts) = try await endpoints.delivery(try deliveryID(context), visibleAccountID: principal.visibleAccountID)
        return try APIResponse(WebhookDeliveryResource(delivery, attempts: attempts))
    }

    /// `POST /v1/webhook_deliveries/{id}/replay`: sends it again with the same `webhook-id`.
    @Sendable func replay(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try await JSONBody.decode(EmptyRequest.self, from: request)
        let delivery = try await endpoints.replay(try deliveryID(context), visibleAccountID: principal.visibleAccountID)
        return try APIResponse(WebhookDeliveryResource(delivery), status: .accepted)
    }

    private func endpointID(_ context: SimGateRequestContext) throws -> WebhookEndpointID {
        guard let id = WebhookEndpointID(parsing: try context.parameters.require("id")) else { throw DomainError.notFound("webhook endpoint") }
        return id
    }

    private func deliveryID(_ context: SimGateRequestContext) throws -> WebhookDeliveryID {
        guard let id = WebhookDeliveryID(parsing: try context.parameters.require("id")) else { throw DomainError.notFound("webhook delivery") }
        return id
    }
}

/// The answer to a bulk replay.
struct ReplayCount: Codable, Equatable, Sendable {
    /// Always `replay`.
    let object: String
    /// How many deliveries were queued again.
    let replayed: Int
}

/// A body that must be empty or `{}`.
struct EmptyRequest: Decodable {
    /// No fields are allowed.
    enum CodingKeys: String, CodingKey, CaseIterable { case none }

    init(from decoder: any Decoder) throws {
        _ = try decoder.strictContainer(keyedBy: CodingKeys.self)
    }
}
