import Foundation
import Hummingbird
import SimGateCore

/// `/webhooks/{stripe,braintree,generic}/{gateway}`: the addresses gateways post to. No API
/// key: the signature is the authentication.
struct WebhookController: Sendable {
    /// Verifies and stores what gateways send.
    let receiver: WebhookReceiver

    /// Registers `POST /webhooks/{kind}/{gateway}` on `router` for each gateway kind.
    func addRoutes(to router: Router<SimGateRequestContext>) {
        for kind in PaymentGatewayKind.allCases {
            router.post("webhooks/\(kind.rawValue)/{gateway}") { request, context in
                try await receive(request, context: context, kind: kind)
            }
        }
    }

    /// `POST /webhooks/{kind}/{gateway}`: stores a verified webhook and answers with a receipt.
    func receive(_ request: Request, context: SimGateRequestContext, kind: PaymentGatewayKind) async throws -> APIResponse {
        guard let gatewayID = PaymentGatewayID(parsing: try context.parameters.require("gateway")),
              try await receiver.accepts(gatewayID, kind: kind)
        else {
            throw DomainError.notFound("payment gateway")
        }
        var request = request
        let body = Data(buffer: try await request.collectBody(upTo: WebhookReceiver.maximumBodyBytes))
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let (id, duplicate) = try await receiver.receive(IncomingWebhook(body: body, headers: headers), kind: kind, gatewayID: gatewayID)
        return try APIResponse(WebhookReceipt(received: true, duplicate: duplicate, id: id?.rawValue))
    }
}

/// The answer to a gateway: 200 whether new or a duplicate, so it stops retrying.
struct WebhookReceipt: Codable, Equatable, Sendable {
    /// Always true: the webhook is stored (now or before).
    let received: Bool
    /// Whether the same event had been received before.
    let duplicate: Bool
    /// The stored event's id (`gwe_...`); null for a duplicate.
    let id: String?
}
