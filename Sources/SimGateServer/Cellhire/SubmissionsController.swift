import Hummingbird
import SimGateCore

/// `/api/simSubmission/*`: the Cellhire-compatible surface. An integration written against
/// Cellhire works here with only its base URL and credentials changed. Each POST answers
/// `{"ticketNumber": ...}` and takes an `Idempotency-Key`, so a retried TopUp adds once.
struct SubmissionsController: Sendable {
    /// Accepts submissions and reads tickets.
    let submissions: SubmissionService
    /// Replays a submission retried with the same `Idempotency-Key`.
    let idempotency: IdempotencyLayer
    /// Cellhire's content type, with its charset.
    static let contentType = "application/json;charset=UTF-8"

    /// Registers the routes on the group that ``ClientAuthenticationMiddleware`` guards.
    func addRoutes(to group: RouterGroup<SimGateRequestContext>) {
        group.post("Provision", use: idempotency.wrap(submit(.provision, ProvisionSubmissionRequest.self) { $0.payload }))
        group.post("ConfigureThreshold", use: idempotency.wrap(submit(.configureThreshold, ConfigureThresholdSubmissionRequest.self) { $0.payload }))
        group.post("TopUp", use: idempotency.wrap(submit(.topUp, TopUpSubmissionRequest.self) { $0.payload }))
        group.post("Unprovision", use: idempotency.wrap(submit(.unprovision, UnprovisionSubmissionRequest.self) { $0.payload }))
        group.get("{ticketNumber}", use: ticket)
    }

    /// A submission route: decodes and checks the body, then accepts it with a ticket.
    func submit<Body: Decodable & Sendable>(
        _ kind: SubmissionTicket.Kind, _: Body.Type, payload: @escaping @Sendable (Body) -> SubmissionPayload
    ) -> IdempotencyLayer.Handler {
        { request, context in
            guard let client = context.client else { throw APIError.authenticationRequired }
            let body = try await JSONBody.decode(Body.self, from: request)
            let ticket = try await submissions.accept(kind, payload(body), from: client)
            return APIResponse(status: .ok, body: try APIJSON.encode(["ticketNumber": ticket.id]), contentType: Self.contentType)
        }
    }

    /// `GET /api/simSubmission/{ticketNumber}`: where the submission stands.
    @Sendable func ticket(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        guard let client = context.client else { throw APIError.authenticationRequired }
        let ticket = try await submissions.ticket(try context.parameters.require("ticketNumber"), for: client)
        return APIResponse(status: .ok, body: try APIJSON.encode(TicketResource(ticket)), contentType: Self.contentType)
    }
}
