import Foundation
import Hummingbird
import SimGateCore
import SimGateStore

/// `/v1/events`: every event the key's account may see. (A SIM's own list is a SIM route.)
struct EventsController: Sendable {
    /// The event log the routes read.
    let events: EventService

    /// Adds `GET /v1/events` and `GET /v1/events/{id}` to the authenticated `/v1` group.
    func addRoutes(to group: RouterGroup<SimGateRequestContext>) {
        group.get("events", use: list)
        group.get("events/{id}", use: get)
    }

    /// `GET /v1/events`: a page of the events the caller may see, by type, time, SIM and account.
    @Sendable func list(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let query = try QueryParameters(request, allowed: EventListParameters.filterNames.union(["sim", "account"]), repeatable: ["type"], paged: true)
        var filter = try EventListParameters.filter(query)
        let requestedAccount = try query.identifier("account", AccountKind.self)
        filter.accountID = principal.isOperator ? requestedAccount : try principal.resolveAccount(requestedAccount, param: "account")
        filter.simID = try query.identifier("sim", SimKind.self)
        let page = try await events.list(filter, try query.page(of: EventKind.self))
        return try APIResponse(ListResource(url: "/v1/events", page: page, EventResource.init))
    }

    /// `GET /v1/events/{id}`: the event, if the caller may see it.
    @Sendable func get(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try QueryParameters(request, allowed: [])
        guard let id = EventID(parsing: try context.parameters.require("id")) else { throw DomainError.notFound("event") }
        return try APIResponse(EventResource(try await events.find(id, visibleAccountID: principal.visibleAccountID)))
    }
}
