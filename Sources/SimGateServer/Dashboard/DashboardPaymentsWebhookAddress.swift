import Foundation
import HTTPTypes
import Hummingbird

/// The absolute address a payment gateway must post to, as the person reading the page
/// reaches SimGate: the request's host, and `https` when a proxy in front says the browser
/// came over TLS (`X-Forwarded-Proto`). Stripe and Braintree want the whole URL pasted in.
struct DashboardPaymentsWebhookAddress: Sendable {
    /// `https://host[:port]`, or `nil` when the request named no usable host.
    let origin: String?

    /// The origin `request` was sent to.
    init(_ request: Request) {
        let scheme = DashboardController.isBehindTLS(request) ? "https" : "http"
        // A Host header is the browser's own; only a plain host[:port] is worth printing.
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")
        if let host = request.head.authority, !host.isEmpty, host.unicodeScalars.allSatisfy(allowed.contains) {
            origin = scheme + "://" + host
        } else {
            origin = nil
        }
    }

    /// `path` (such as `/webhooks/stripe/gw_...`) made absolute, or left as it is without a host.
    func url(for path: String) -> String {
        (origin ?? "") + path
    }
}
