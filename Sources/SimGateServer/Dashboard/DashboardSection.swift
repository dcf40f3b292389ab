import Foundation
import Hummingbird

/// A feature's dashboard pages: each registers its own pages and forms through
/// ``DashboardRoutes``, which applies the session, CSRF and read-only checks.
protocol DashboardSection: Sendable {
    /// Registers the section's pages and forms.
    func addRoutes(to routes: DashboardRoutes)
}

/// Short notices a page shows after a form sent the browser back to it. Only these known
/// codes are shown, so a link cannot make a page say anything else.
enum DashboardNotice {
    /// The text for `code`, if it is one.
    static func text(_ code: String?) -> String? {
        switch code {
        case "activated": "The SIM is being activated; its new status is below."
        case "suspended": "The SIM was suspended; its hold and event are below."
        case "unprovisioned": "The SIM was unprovisioned."
        case "topped-up": "The bundle was topped up."
        case "rule-created": "The rule was created."
        case "rule-saved": "The rule was saved."
        case "rule-deleted": "The rule was deleted."
        case "endpoint-created": "The endpoint was created."
        case "replayed": "The failed deliveries were queued again."
        case "replayed-none": "No failed delivery was made since then; nothing was queued."
        case "delivery-replayed": "The delivery was queued again, with the same webhook-id."
        case "endpoint-enabled": "The endpoint was enabled: deliveries resume."
        case "endpoint-disabled": "The endpoint was disabled: nothing is sent to it until it is enabled."
        case "test-sent": "A test message was queued for the endpoint; it appears in the delivery log."
        case "key-created": "The key was created."
        case "key-revoked": "The key was revoked."
        case "account-created": "The account was created. Create a key for it below."
        default: nil
        }
    }

    /// `path` with `notice` added to its query.
    static func redirect(to path: String, notice: String) -> Response {
        DashboardController.redirect(to: path + (path.contains("?") ? "&" : "?") + "notice=" + notice)
    }
}
