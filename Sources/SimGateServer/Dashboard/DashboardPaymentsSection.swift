import Foundation
import Hummingbird
import SimGateCore
import SimGateStore

/// The payments page (`GET /payments`): the account's payment gateways, each with the whole
/// webhook URL to paste into Stripe or Braintree, and the gateway events received, newest
/// first, with what became of each, so a support desk can see why a rider's bike is OFFLINE
/// without reading logs. A customer sees only its own; the operator every account's, named.
/// Secrets never appear, only the API's hints of them.
struct DashboardPaymentsSection: DashboardSection {
    /// Reads gateways and gateway events as the API does.
    let payments: PaymentService
    /// Names the accounts in the operator's view.
    let directory: DashboardOperatorAccountDirectory

    /// Gateway events on a page.
    static let eventsPerPage = 50

    /// Registers `GET /payments`.
    func addRoutes(to routes: DashboardRoutes) {
        let pages = routes.pages
        routes.page("payments") { request, signedIn in
            let content = try await content(for: signedIn, parameters: request.firstQueryValues, address: DashboardPaymentsWebhookAddress(request))
            return pages.page("payments", content, frame: signedIn.frame("Payments", current: "payments"))
        }
    }

    /// The page's template values: gateways (a page of the API's largest size, paged by
    /// `gateways_after`) and events (filtered by `status`, paged by `after`).
    func content(for signedIn: SignedIn, parameters: [String: String], address: DashboardPaymentsWebhookAddress) async throws -> [String: Any] {
        let principal = signedIn.principal
        let visible = principal.visibleAccountID
        let gatewaysAfter = parameters["gateways_after"].flatMap(PaymentGatewayID.init(parsing:))
        let gateways = try await payments.listGateways(
            visibleAccountID: visible, PageRequest(limit: PageRequest.maximumLimit, startingAfter: gatewaysAfter?.rawValue)
        )
        let status = parameters["status"].flatMap(GatewayEvent.Status.init(rawValue:))
        let after = parameters["after"].flatMap(GatewayEventID.init(parsing:))
        let events = try await payments.listGatewayEvents(
            visibleAccountID: visible, gatewayID: nil, status: status, PageRequest(limit: Self.eventsPerPage, startingAfter: after?.rawValue)
        )
        let names = principal.isOperator
            ? try await directory.names(of: Set(gateways.items.map(\.accountID) + events.items.map(\.accountID))) : [:]
        let gatewayNames = Dictionary(gateways.items.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })

        let gatewayRows = gateways.items.map { gateway -> [String: Any] in
            let view = PaymentGatewayResource(gateway)
            var row: [String: Any] = [
                "id": view.id, "name": view.name, "kind": view.kind, "webhookURL": address.url(for: view.webhookPath),
                "hints": view.credentialHints.joined(separator: ", "), "graceHours": view.gracePeriodHours,
                "cancellation": view.cancellation.replacingOccurrences(of: "_", with: " "),
            ]
            if principal.isOperator { row["account"] = names[gateway.accountID] ?? view.account }
            return row
        }
        let eventRows = events.items.map { event -> [String: Any] in
            var row: [String: Any] = [
                "id": event.id.rawValue, "receivedAt": RFC3339.string(from: event.receivedAt), "received": DashboardFormat.time(event.receivedAt),
                "gateway": gatewayNames[event.gatewayID] ?? event.gatewayID.rawValue, "type": event.type, "status": event.status.rawValue,
                "externalID": event.externalID,
            ]
            if let subscription = event.subscriptionID { row["subscription"] = subscription }
            if let outcome = event.outcome { row["outcome"] = outcome }
            if principal.isOperator { row["account"] = names[event.accountID] ?? event.accountID.rawValue }
            return row
        }

        var content: [String: Any] = [
            "isOperator": principal.isOperator, "gateways": gatewayRows, "hasGateways": !gatewayRows.isEmpty,
            "events": eventRows, "hasEvents": !eventRows.isEmpty, "hasHost": address.origin != nil,
            "statusOptions": GatewayEvent.Status.allCases.map { ["value": $0.rawValue, "selected": $0 == status] },
        ]
        if gateways.hasMore, let last = gateways.items.last {
            content["nextGateways"] = "/payments?" + Self.query(["gateways_after": last.id.rawValue])
        }
        if events.hasMore, let last = events.items.last {
            content["nextEvents"] = "/payments?" + Self.query(["status": status?.rawValue, "after": last.id.rawValue, "gateways_after": gatewaysAfter?.rawValue])
        }
        return content
    }

    private static func query(_ items: [String: String?]) -> String {
        FormEncoding.query(items.compactMap { name, value in value.map { (name, $0) } }.sorted { $0.name < $1.name })
    }
}
