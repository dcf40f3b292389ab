import Foundation
import SimGateCore
import SimGateStore

/// The template values of the webhook pages: the endpoint list, one endpoint with its
/// delivery log, and one delivery with its attempts. Everything is read through
/// ``WebhookEndpointService``, with the API's visibility.
struct DashboardEndpointContent: Sendable {
    /// Reads endpoints and deliveries.
    let endpoints: WebhookEndpointService

    /// Endpoints on the list page (an account has at most 100).
    static let listSize = WebhookEndpoint.maximumPerAccount
    /// Deliveries on a page of the log.
    static let logPageSize = 25

    /// The endpoints the signed-in key may see, with the form for a new one (`form`, as typed).
    func list(for signedIn: SignedIn, after: WebhookEndpointID?, form: DashboardEndpointForm = .blank, problem: String? = nil) async throws -> [String: Any] {
        let principal = signedIn.principal
        let page = try await endpoints.list(visibleAccountID: principal.visibleAccountID, PageRequest(limit: Self.listSize, startingAfter: after?.rawValue))
        var content = form.pageValues
        content["endpoints"] = page.items.map(Self.row)
        content["hasEndpoints"] = !page.items.isEmpty
        if page.hasMore, let last = page.items.last { content["next"] = "/endpoints?after=\(last.id.rawValue)" }
        content["csrf"] = signedIn.session.csrfToken
        content["canEdit"] = !signedIn.readOnly
        content["isOperator"] = principal.isOperator
        if let problem { content["problem"] = problem }
        return content
    }

    /// The page of `endpoint`: its facts, its switches, and its deliveries (in `state` when
    /// given), newest first, a page after `after`. `secret` is the clear secret, given only
    /// by the answer that created the endpoint.
    func page(
        _ endpoint: WebhookEndpoint, for signedIn: SignedIn, state: WebhookDelivery.State?, after: WebhookDeliveryID?,
        secret: String? = nil, problem: String? = nil, typedSince: String? = nil
    ) async throws -> [String: Any] {
        let principal = signedIn.principal
        let log = try await endpoints.deliveries(
            of: endpoint.id, state: state, visibleAccountID: principal.visibleAccountID,
            PageRequest(limit: Self.logPageSize, startingAfter: after?.rawValue)
        )
        let base = "/endpoints/\(endpoint.id.rawValue)"
        var content: [String: Any] = [
            "endpoint": Self.row(endpoint), "csrf": signedIn.session.csrfToken, "canEdit": !signedIn.readOnly, "isOperator": principal.isOperator,
            "deliveries": log.items.map { Self.deliveryRow($0, base: base) }, "hasDeliveries": !log.items.isEmpty,
            "stateOptions": WebhookDelivery.State.allCases.map { ["value": $0.rawValue, "selected": $0 == state] },
            // A datetime-local field has minutes; the start of the minute keeps everything since.
            "since": typedSince ?? String(RFC3339.string(from: endpoint.failingSince ?? endpoint.createdAt).prefix(16)),
        ]
        if let secret { content["secret"] = secret }
        if let problem { content["problem"] = problem }
        if log.hasMore, let last = log.items.last {
            content["next"] = base + "?" + [state.map { "state=\($0.rawValue)" }, "after=\(last.id.rawValue)"].compactMap { $0 }.joined(separator: "&")
        }
        return content
    }

    /// The page of one delivery: what it carries, where it is in its life, and every attempt.
    func delivery(_ delivery: WebhookDelivery, attempts: [WebhookAttempt], endpoint: WebhookEndpoint, for signedIn: SignedIn) -> [String: Any] {
        let base = "/endpoints/\(endpoint.id.rawValue)"
        var row = Self.deliveryRow(delivery, base: base)
        row["payload"] = Self.readable(delivery.payload)
        if let delivered = delivery.deliveredAt { row["delivered"] = DashboardFormat.time(delivered) }
        if let next = delivery.nextAttemptAt { row["nextAttempt"] = DashboardFormat.time(next) }
        return [
            "delivery": row, "endpoint": Self.row(endpoint), "csrf": signedIn.session.csrfToken, "canEdit": !signedIn.readOnly,
            "attempts": attempts.map { attempt -> [String: Any] in
                var values: [String: Any] = [
                    "at": DashboardFormat.time(attempt.attemptedAt), "status": attempt.statusCode.map(String.init) ?? "no answer",
                    "latency": attempt.latencyMilliseconds, "ok": attempt.error == nil,
                ]
                if let error = attempt.error { values["error"] = error }
                if let excerpt = attempt.responseExcerpt, !excerpt.isEmpty { values["excerpt"] = excerpt }
                return values
            },
            "hasAttempts": !attempts.isEmpty,
        ]
    }

    /// A JSON body indented with its keys sorted, for reading; anything else as it is.
    static func readable(_ payload: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return payload }
        return String(decoding: data, as: UTF8.self)
    }

    /// An endpoint as the list and its page show it.
    static func row(_ endpoint: WebhookEndpoint) -> [String: Any] {
        var row: [String: Any] = [
            "id": endpoint.id.rawValue, "url": endpoint.url, "status": endpoint.status.rawValue, "enabled": endpoint.status == .enabled,
            "eventTypes": endpoint.eventTypes == ["*"] ? "every event type" : endpoint.eventTypes.joined(separator: ", "),
            "ordered": endpoint.ordered, "maxConcurrency": endpoint.maxConcurrency, "account": endpoint.accountID.rawValue,
            "created": DashboardFormat.time(endpoint.createdAt),
        ]
        if let description = endpoint.description, !description.isEmpty { row["description"] = description }
        if let reason = endpoint.disabledReason, !reason.isEmpty { row["disabledReason"] = reason }
        if let disabledAt = endpoint.disabledAt { row["disabledAt"] = DashboardFormat.time(disabledAt) }
        if let failing = endpoint.failingSince { row["failingSince"] = DashboardFormat.time(failing) }
        if endpoint.secrets.previous != nil, let expires = endpoint.secrets.previousExpiresAt {
            row["previousSecretExpires"] = DashboardFormat.time(expires)
        }
        return row
    }

    /// A delivery as the log shows it; `base` is its endpoint's page.
    static func deliveryRow(_ delivery: WebhookDelivery, base: String) -> [String: Any] {
        var row: [String: Any] = [
            "id": delivery.id.rawValue, "link": "\(base)/deliveries/\(delivery.id.rawValue)", "messageID": delivery.messageID,
            "eventType": delivery.eventType, "state": delivery.state.rawValue, "attempts": delivery.attempts,
            "created": DashboardFormat.time(delivery.createdAt), "failed": delivery.state == .failed,
            // An attempt under way cannot be replayed; a pending one is about to be sent anyway.
            "replayable": delivery.state == .failed || delivery.state == .succeeded,
        ]
        if let status = delivery.lastStatus { row["lastStatus"] = String(status) }
        if let error = delivery.lastError, !error.isEmpty { row["lastError"] = error }
        return row
    }
}
