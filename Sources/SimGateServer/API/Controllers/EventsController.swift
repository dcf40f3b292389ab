import Foundation
import Hummingbird
import SimGateCore
import SimGateStore

/// `/v1/events` and `/v1/sims/{id}/events`.
struct EventsController: Sendable {
    let database: SimGateDatabase
    let sims: SimOperations

    func addRoutes(to group: RouterGroup<SimGateRequestContext>) {
        group.get("events", use: list)
        group.get("events/{id}", use: get)
        group.get("sims/{id}/events", use: listForSim)
    }

    @Sendable func list(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let query = try QueryParameters(request, allowed: Self.filterNames.union(["sim", "account"]), repeatable: ["type"], paged: true)
        var filter = try Self.filter(query)
        let requestedAccount = try query.identifier("account", AccountKind.self)
        filter.accountID = principal.isOperator ? requestedAccount : try principal.resolveAccount(requestedAccount, param: "account")
        filter.simID = try query.identifier("sim", SimKind.self)
        return try await respond(filter, page: try query.page(of: EventKind.self), url: "/v1/events")
    }

    @Sendable func listForSim(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let query = try QueryParameters(request, allowed: Self.filterNames, repeatable: ["type"], paged: true)
        let sim = try await sims.find(try SimReference(parsing: try context.parameters.require("id")), visibleAccountID: principal.visibleAccountID)
        var filter = try Self.filter(query)
        filter.simID = sim.id
        filter.accountID = principal.visibleAccountID
        return try await respond(filter, page: try query.page(of: EventKind.self), url: "/v1/sims/\(sim.id)/events")
    }

    @Sendable func get(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try QueryParameters(request, allowed: [])
        guard let id = EventID(parsing: try context.parameters.require("id")),
              let event = try await database.read({ try await EventStore().find(id, accountID: principal.visibleAccountID, on: $0) })
        else { throw DomainError.notFound("event") }
        return try APIResponse(EventResource(event))
    }

    /// The filters both event lists take: `type` (repeatable, or comma-separated) and
    /// `created` bounds, inclusive (`gte`, `lte`) or exclusive (`gt`, `lt`).
    static let filterNames: Set<String> = ["type", "created[gte]", "created[lte]", "created[gt]", "created[lt]"]

    private static func filter(_ query: QueryParameters) throws -> EventFilter {
        let types = query.all("type").map(EventType.init(rawValue:))
        if let unknown = types.first(where: { !EventType.catalogue.contains($0) }) {
            throw APIError.invalid("invalid_type_filter", "'\(unknown)' is not an event type SimGate records.", param: "type")
        }
        // Stored times are whole milliseconds, so an exclusive bound is the inclusive one a
        // millisecond further in.
        let after = try query.date("created[gt]").map { Date(epochMilliseconds: $0.epochMilliseconds + 1) }
        let before = try query.date("created[lt]").map { Date(epochMilliseconds: $0.epochMilliseconds - 1) }
        let from = [try query.date("created[gte]"), after].compactMap { $0 }.max()
        let to = [try query.date("created[lte]"), before].compactMap { $0 }.min()
        return EventFilter(types: types, createdFrom: from, createdTo: to)
    }

    private func respond(_ filter: EventFilter, page: PageRequest, url: String) async throws -> APIResponse {
        let events = try await database.read { try await EventStore().list(filter, page, on: $0) }
        return try APIResponse(ListResource(url: url, page: events, EventResource.init))
    }
}
