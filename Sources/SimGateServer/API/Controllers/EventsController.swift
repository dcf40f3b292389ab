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
        let query = try QueryParameters(request, allowed: ["sim", "type", "created[gte]", "created[lte]", "account"])
        var filter = try Self.filter(query)
        let requestedAccount = try query.identifier("account", AccountKind.self)
        filter.accountID = principal.isOperator ? requestedAccount : try principal.resolveAccount(requestedAccount, param: "account")
        filter.simID = try query.identifier("sim", SimKind.self)
        return try await respond(filter, page: try query.page(), url: "/v1/events")
    }

    @Sendable func listForSim(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let query = try QueryParameters(request, allowed: ["type", "created[gte]", "created[lte]"])
        let sim = try await sims.find(try SimReference(parsing: try context.parameters.require("id")), visibleAccountID: principal.visibleAccountID)
        var filter = try Self.filter(query)
        filter.simID = sim.id
        filter.accountID = principal.visibleAccountID
        return try await respond(filter, page: try query.page(), url: "/v1/sims/\(sim.id)/events")
    }

    @Sendable func get(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try QueryParameters(request, allowed: [])
        guard let id = EventID(parsing: try context.parameters.require("id")),
              let event = try await database.read({ try await EventStore().find(id, accountID: principal.visibleAccountID, on: $0) })
        else { throw DomainError.notFound("event") }
        return try APIResponse(EventResource(event))
    }

    private static func filter(_ query: QueryParameters) throws -> EventFilter {
        EventFilter(
            types: query.all("type").map(EventType.init(rawValue:)),
            createdFrom: try query.date("created[gte]"), createdTo: try query.date("created[lte]")
        )
    }

    private func respond(_ filter: EventFilter, page: PageRequest, url: String) async throws -> APIResponse {
        let events = try await database.read { try await EventStore().list(filter, page, on: $0) }
        return try APIResponse(ListResource(url: url, page: events, EventResource.init))
    }
}
