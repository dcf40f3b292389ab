import Hummingbird
import SimGateCore
import SimGateStore

/// `/v1/payment_gateways`, `/v1/billing_bindings` and `/v1/gateway_events`.
struct PaymentsController: Sendable {
    /// The payment operations the routes call.
    let operations: PaymentService
    /// Replays POSTs sent again with the same `Idempotency-Key`.
    let idempotency: IdempotencyLayer

    /// Registers the payment gateway, billing binding and gateway event routes on `group`.
    func addRoutes(to group: RouterGroup<SimGateRequestContext>) {
        group.post("payment_gateways", use: idempotency.wrap(createGateway))
        group.get("payment_gateways", use: listGateways)
        group.get("payment_gateways/{id}", use: getGateway)
        group.post("payment_gateways/{id}", use: idempotency.wrap(updateGateway))
        group.post("billing_bindings", use: idempotency.wrap(createBinding))
        group.get("billing_bindings", use: listBindings)
        group.get("billing_bindings/{id}", use: getBinding)
        group.delete("billing_bindings/{id}", use: deleteBinding)
        group.get("gateway_events", use: listGatewayEvents)
        group.get("gateway_events/{id}", use: getGatewayEvent)
    }

    /// `POST /v1/payment_gateways`: creates a gateway; 201, with a generated secret shown once.
    @Sendable func createGateway(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(CreatePaymentGatewayRequest.self, from: request)
        let accountID = try principal.resolveAccount(body.account, param: "account")
        let (gateway, secret) = try await operations.createGateway(kind: body.kind, body.settings, accountID: accountID)
        return try APIResponse(PaymentGatewayResource(gateway, generatedSecret: secret), withoutSecret: PaymentGatewayResource(gateway), status: .created)
    }

    /// `GET /v1/payment_gateways`: one page of the gateways the caller may see.
    @Sendable func listGateways(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let page = try QueryParameters(request, allowed: [], paged: true).page(of: PaymentGatewayKindTag.self)
        let gateways = try await operations.listGateways(visibleAccountID: principal.visibleAccountID, page)
        return try APIResponse(ListResource(url: "/v1/payment_gateways", page: gateways) { PaymentGatewayResource($0) })
    }

    /// `GET /v1/payment_gateways/{id}`: one gateway, without its secrets.
    @Sendable func getGateway(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try QueryParameters(request, allowed: [])
        guard let id = PaymentGatewayID(parsing: try context.parameters.require("id")) else { throw DomainError.notFound("payment gateway") }
        return try APIResponse(PaymentGatewayResource(try await operations.findGateway(id, visibleAccountID: principal.visibleAccountID)))
    }

    /// `POST /v1/payment_gateways/{id}`: changes the settings the body sends.
    @Sendable func updateGateway(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        guard let id = PaymentGatewayID(parsing: try context.parameters.require("id")) else { throw DomainError.notFound("payment gateway") }
        let body = try await JSONBody.decode(UpdatePaymentGatewayRequest.self, from: request)
        let gateway = try await operations.updateGateway(id, body.settings, visibleAccountID: principal.visibleAccountID)
        return try APIResponse(PaymentGatewayResource(gateway))
    }

    /// `POST /v1/billing_bindings`: binds a subscription to a SIM; 201 with the binding.
    @Sendable func createBinding(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(CreateBillingBindingRequest.self, from: request)
        let (binding, gateway) = try await operations.createBinding(
            gatewayID: body.gateway, subscriptionID: body.subscription, sim: body.sim, visibleAccountID: principal.visibleAccountID, cause: principal.cause(reason: nil)
        )
        return try APIResponse(BillingBindingResource(binding, gateway: gateway), status: .created)
    }

    /// `GET /v1/billing_bindings`: one page of bindings, optionally of one SIM (`sim`).
    @Sendable func listBindings(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let query = try QueryParameters(request, allowed: ["sim"], paged: true)
        let simID = try query.identifier("sim", SimKind.self)
        let page = try query.page(of: BillingBindingKind.self)
        let (bindings, gateways) = try await operations.listBindings(visibleAccountID: principal.visibleAccountID, simID: simID, page)
        let resources = bindings.items.compactMap { binding in gateways[binding.gatewayID].map { BillingBindingResource(binding, gateway: $0) } }
        return try APIResponse(ListResource(url: "/v1/billing_bindings", data: resources, hasMore: bindings.hasMore))
    }

    /// `GET /v1/billing_bindings/{id}`: one binding with its entitlement.
    @Sendable func getBinding(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try QueryParameters(request, allowed: [])
        guard let id = BillingBindingID(parsing: try context.parameters.require("id")) else { throw DomainError.notFound("billing binding") }
        let (binding, gateway) = try await operations.findBinding(id, visibleAccountID: principal.visibleAccountID)
        return try APIResponse(BillingBindingResource(binding, gateway: gateway))
    }

    /// `DELETE /v1/billing_bindings/{id}`: removes the binding and re-evaluates its SIM.
    @Sendable func deleteBinding(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try QueryParameters(request, allowed: [])
        guard let id = BillingBindingID(parsing: try context.parameters.require("id")) else { throw DomainError.notFound("billing binding") }
        let (binding, gateway) = try await operations.deleteBinding(id, visibleAccountID: principal.visibleAccountID, cause: principal.cause(reason: nil))
        return try APIResponse(BillingBindingResource(binding, gateway: gateway))
    }

    /// `GET /v1/gateway_events`: received webhooks, filtered by `gateway` and `status`.
    @Sendable func listGatewayEvents(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let query = try QueryParameters(request, allowed: ["gateway", "status"], paged: true)
        let gatewayID = try query.identifier("gateway", PaymentGatewayKindTag.self)
        var status: GatewayEvent.Status?
        if let text = query["status"] {
            guard let parsed = GatewayEvent.Status(rawValue: text) else {
                throw APIError.invalid("invalid_status", "'status' takes \(GatewayEvent.Status.allCases.map(\.rawValue).joined(separator: ", ")).", param: "status")
            }
            status = parsed
        }
        let page = try query.page(of: GatewayEventKind.self)
        let events = try await operations.listGatewayEvents(visibleAccountID: principal.visibleAccountID, gatewayID: gatewayID, status: status, page)
        return try APIResponse(ListResource(url: "/v1/gateway_events", page: events, GatewayEventResource.init))
    }

    /// `GET /v1/gateway_events/{id}`: one received webhook with its payload and outcome.
    @Sendable func getGatewayEvent(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try QueryParameters(request, allowed: [])
        guard let id = GatewayEventID(parsing: try context.parameters.require("id")) else { throw DomainError.notFound("gateway event") }
        return try APIResponse(GatewayEventResource(try await operations.findGatewayEvent(id, visibleAccountID: principal.visibleAccountID)))
    }
}
