import Foundation
import Hummingbird
import SimGateCore
import SimGateStore

/// The dashboard's webhook pages: the endpoints, a form for a new one (whose signing secret
/// the next page shows once, never again), enabling and disabling, a test message, and each
/// endpoint's delivery log with every attempt, replaying one delivery or every failed one
/// since a time. All of it goes through ``WebhookEndpointService``, as the API does.
struct DashboardEndpointsSection: DashboardSection {
    /// Endpoints, deliveries, test messages and replays.
    let endpoints: WebhookEndpointService
    /// Builds the pages' values.
    var content: DashboardEndpointContent { DashboardEndpointContent(endpoints: endpoints) }

    /// Registers the webhook pages: the list, one endpoint with its log, one delivery, and their forms.
    func addRoutes(to routes: DashboardRoutes) {
        let pages = routes.pages
        routes.page("endpoints") { request, signedIn in
            let parameters = request.firstQueryValues
            var values = try await content.list(for: signedIn, after: parameters["after"].flatMap(WebhookEndpointID.init(parsing:)))
            values["notice"] = DashboardNotice.text(parameters["notice"])
            return pages.page("endpoints", values, frame: signedIn.frame("Webhooks", current: "webhooks"))
        }
        routes.form("endpoints") { _, signedIn, form in
            let typed = DashboardEndpointForm(form)
            let principal = signedIn.principal
            do {
                let request = try typed.request(includingAccount: principal.isOperator)
                let accountID = try principal.resolveAccount(request.account, param: "account")
                let (endpoint, secret) = try await endpoints.create(request, accountID: accountID, cause: principal.cause(reason: nil))
                // The secret is on this answer alone: never in a link, never on a later page.
                var values = try await content.page(endpoint, for: signedIn, state: nil, after: nil, secret: secret)
                values["notice"] = DashboardNotice.text("endpoint-created")
                return pages.page("endpoint", values, frame: signedIn.frame("Webhook endpoint", current: "webhooks"), status: .created)
            } catch {
                guard let problem = DashboardRuleFormProblem(error, actionFields: []) else { throw error }
                let values = try await content.list(for: signedIn, after: nil, form: typed, problem: problem.message)
                return pages.page("endpoints", values, frame: signedIn.frame("Webhooks", current: "webhooks"), status: .unprocessableContent)
            }
        }
        routes.page("endpoints/{id}") { request, signedIn in
            let endpoint = try await find(signedIn)
            let parameters = request.firstQueryValues
            let state = parameters["state"].flatMap(WebhookDelivery.State.init(rawValue:))
            var values = try await content.page(endpoint, for: signedIn, state: state, after: parameters["after"].flatMap(WebhookDeliveryID.init(parsing:)))
            values["notice"] = DashboardNotice.text(parameters["notice"])
            return pages.page("endpoint", values, frame: signedIn.frame("Webhook endpoint", current: "webhooks"))
        }
        routes.form("endpoints/{id}/status") { request, signedIn, form in
            let principal = signedIn.principal
            let change = try DashboardEndpointForm.statusChange(form["status"] ?? "")
            let endpoint = try await endpoints.update(try signedIn.pathID("id", "webhook endpoint") as WebhookEndpointID, change, visibleAccountID: principal.visibleAccountID, cause: principal.cause(reason: nil))
            return DashboardNotice.redirect(to: "/endpoints/\(endpoint.id.rawValue)", notice: endpoint.status == .enabled ? "endpoint-enabled" : "endpoint-disabled")
        }
        routes.form("endpoints/{id}/test") { request, signedIn, _ in
            let delivery = try await endpoints.sendTest(try signedIn.pathID("id", "webhook endpoint") as WebhookEndpointID, visibleAccountID: signedIn.principal.visibleAccountID)
            return DashboardNotice.redirect(to: "/endpoints/\(delivery.endpointID.rawValue)", notice: "test-sent")
        }
        routes.form("endpoints/{id}/replay-failed") { request, signedIn, form in
            let endpoint = try await find(signedIn)
            let typed = form["since"] ?? ""
            guard let since = Self.utcTime(typed.trimmingCharacters(in: .whitespaces)) else {
                let values = try await content.page(
                    endpoint, for: signedIn, state: nil, after: nil, problem: "“\(typed)” is not a time: give a UTC date and time, such as 2026-12-01T08:00.",
                    typedSince: typed
                )
                return pages.page("endpoint", values, frame: signedIn.frame("Webhook endpoint", current: "webhooks"), status: .unprocessableContent)
            }
            let count = try await endpoints.replayFailed(endpoint.id, since: since, visibleAccountID: signedIn.principal.visibleAccountID)
            return DashboardNotice.redirect(to: "/endpoints/\(endpoint.id.rawValue)", notice: count == 0 ? "replayed-none" : "replayed")
        }
        routes.page("endpoints/{id}/deliveries/{delivery}") { request, signedIn in
            let (endpoint, delivery, attempts) = try await findDelivery(signedIn)
            var values = content.delivery(delivery, attempts: attempts, endpoint: endpoint, for: signedIn)
            values["notice"] = DashboardNotice.text(request.firstQueryValues["notice"])
            return pages.page("delivery", values, frame: signedIn.frame("Webhook delivery", current: "webhooks"))
        }
        routes.form("endpoints/{id}/deliveries/{delivery}/replay") { request, signedIn, _ in
            let (endpoint, delivery, _) = try await findDelivery(signedIn)
            _ = try await endpoints.replay(delivery.id, visibleAccountID: signedIn.principal.visibleAccountID)
            return DashboardNotice.redirect(to: "/endpoints/\(endpoint.id.rawValue)/deliveries/\(delivery.id.rawValue)", notice: "delivery-replayed")
        }
    }

    /// The endpoint the path names, if the signed-in key may see it (else a 404, as the API answers).
    private func find(_ signedIn: SignedIn) async throws -> WebhookEndpoint {
        try await endpoints.find(try signedIn.pathID("id", "webhook endpoint") as WebhookEndpointID, visibleAccountID: signedIn.principal.visibleAccountID)
    }

    /// The delivery the path names, with its attempts, if it is the named endpoint's and the key may see both.
    private func findDelivery(_ signedIn: SignedIn) async throws -> (WebhookEndpoint, WebhookDelivery, [WebhookAttempt]) {
        let endpoint = try await find(signedIn)
        let id: WebhookDeliveryID = try signedIn.pathID("delivery", "webhook delivery")
        let (delivery, attempts) = try await endpoints.delivery(id, visibleAccountID: signedIn.principal.visibleAccountID)
        guard delivery.endpointID == endpoint.id else { throw DomainError.notFound("webhook delivery") }
        return (endpoint, delivery, attempts)
    }

    /// A time typed as RFC 3339, or as a `datetime-local` field sends it (`2026-12-01T08:00`,
    /// no zone), which the form says is UTC.
    static func utcTime(_ text: String) -> Date? {
        if let date = RFC3339.date(from: text) { return date }
        let withSeconds = text.count == 16 ? text + ":00" : text
        return RFC3339.date(from: withSeconds + "Z")
    }
}
