import Hummingbird
import SimGateCore

/// The AOFU routes of `/v1/sims/{id}`: provisioning on a tariff, the shutdown threshold,
/// top-ups and the bundle's history. Each POST takes an `Idempotency-Key`.
struct AOFUController: Sendable {
    /// Carries out the AOFU steps.
    let aofu: AOFUService
    /// Replays a POST retried with the same `Idempotency-Key`.
    let idempotency: IdempotencyLayer

    /// Registers the routes on the authenticated API group.
    func addRoutes(to group: RouterGroup<SimGateRequestContext>) {
        group.post("sims/{id}/provision", use: idempotency.wrap(provision))
        group.post("sims/{id}/shutdown_threshold", use: idempotency.wrap(shutdownThreshold))
        group.post("sims/{id}/top_ups", use: idempotency.wrap(topUp))
        group.get("sims/{id}/bundle", use: bundle)
    }

    /// `POST /v1/sims/{id}/provision`: puts the SIM on a tariff and provisions it.
    @Sendable func provision(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(ProvisionSimRequest.self, from: request)
        do {
            let sim = try await aofu.provision(
                try reference(context), tariff: body.tariff, threshold: body.threshold, bundleBytes: body.bundleBytes,
                visibleAccountID: principal.visibleAccountID, cause: principal.cause(reason: body.reason)
            )
            return try APIResponse(sim: SimResource(sim))
        } catch let error as DomainError {
            throw error.renamingParam(Self.fieldNames)
        }
    }

    /// `POST /v1/sims/{id}/shutdown_threshold`: hours after first use the SIM is unprovisioned.
    @Sendable func shutdownThreshold(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(ShutdownThresholdRequest.self, from: request)
        let sim = try await aofu.configureThreshold(
            try reference(context), body.threshold, visibleAccountID: principal.visibleAccountID, cause: principal.cause(reason: body.reason)
        )
        return try APIResponse(sim: SimResource(sim))
    }

    /// `POST /v1/sims/{id}/top_ups`: adds to the SIM's bundle.
    @Sendable func topUp(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(TopUpRequest.self, from: request)
        do {
            let sim = try await aofu.topUp(
                try reference(context), bytes: body.bytes, visibleAccountID: principal.visibleAccountID, cause: principal.cause(reason: body.reason)
            )
            return try APIResponse(sim: SimResource(sim))
        } catch let error as DomainError {
            throw error.renamingParam(Self.fieldNames)
        }
    }

    /// `GET /v1/sims/{id}/bundle`: the bundle now and its history, oldest first, a page at a
    /// time: `limit` changes (1 to 1,000, all of them by default up to that) after the change
    /// `starting_after`, and `has_more` when more follow.
    @Sendable func bundle(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let query = try QueryParameters(request, allowed: ["limit", "starting_after"])
        let limit = try query.limit(maximum: Self.largestHistoryPage, fallback: Self.largestHistoryPage)
        let after = query["starting_after"]
        if let after, !BundleHistoryResource.isChangeID(after) {
            throw APIError.invalid("invalid_cursor", "'starting_after' must be the id of a change in this history.", param: "starting_after")
        }
        let page = try await aofu.bundle(of: try reference(context), visibleAccountID: principal.visibleAccountID, after: after, limit: limit)
        return try APIResponse(BundleHistoryResource(sim: page.sim, changes: page.changes, hasMore: page.hasMore))
    }

    /// Most changes a page of a bundle's history holds, and how many it holds unless asked.
    static let largestHistoryPage = 1_000

    /// The fields the domain names, as this API calls them.
    static let fieldNames = ["shutdownThreshold": "shutdown_threshold_hours", "bundleSizeMb": "bundle_size_mb", "tariffNumber": "tariff", "amountMb": "amount_mb"]

    private func reference(_ context: SimGateRequestContext) throws -> SimReference {
        try SimReference(parsing: try context.parameters.require("id"))
    }
}
