import Foundation
import SimGateCore

/// What the rule form says about each trigger: a short title for the drop-down, and a sentence
/// on what sets it off and which of the form's fields it reads. The form has no script, so
/// every trigger's sentence is on the page beside the drop-down, not only the chosen one's.
enum DashboardRuleTriggers {
    /// One trigger as the form offers it.
    struct Choice {
        /// The trigger's wire name (`country_not_in`).
        let type: String
        /// What the drop-down shows.
        let title: String
        /// What sets it off, and which fields it needs.
        let explanation: String
    }

    /// Every trigger, in the order the drop-down lists them (the roaming one, most asked for, first).
    static let choices: [Choice] = [
        Choice(
            type: "country_not_in", title: "Device outside its deployment countries (roaming)",
            explanation: "Fires when the SIM is seen on a network in a country that is not in “Deployment countries”. Fill that field with two-letter codes, such as DE, AT."
        ),
        Choice(
            type: "usage_over", title: "Data use over a limit",
            explanation: "Fires once per window when the SIM's data in the window (a UTC day, a UTC month, the billing period or its whole life) reaches “Data limit”."
        ),
        Choice(
            type: "bundle_used", title: "Share of the data bundle used",
            explanation: "Fires once per bundle size when the SIM has used “Bundle percentage” of its data bundle; SIMs without a bundle never fire."
        ),
        Choice(
            type: "country_changed", title: "Moved to another country",
            explanation: "Fires when the SIM is seen in a different country from the one it was last seen in."
        ),
        Choice(type: "first_use", title: "First data use", explanation: "Fires when the SIM passes data for the very first time."),
        Choice(
            type: "device_changed", title: "Put into another device",
            explanation: "Fires when the SIM turns up in a device (IMEI) other than the one it was in before."
        ),
        Choice(
            type: "status_changed", title: "Status changed",
            explanation: "Fires when the SIM's status changes from “Status from” to “Status to” (either left at “any” matches every status)."
        ),
        Choice(
            type: "payment_failed", title: "Payment failed",
            explanation: "Fires when a payment for the SIM's subscription fails."
        ),
        Choice(
            type: "entitlement_lapsed", title: "Paid period ran out",
            explanation: "Fires when the SIM's paid period, and any grace, ran out and its payment hold was placed."
        ),
        Choice(
            type: "no_data", title: "No data for a while",
            explanation: "Fires when a LIVE SIM has passed no data for “Hours without data” hours (checked by a periodic scan)."
        ),
        Choice(
            type: "session_opened", title: "Data session opened",
            explanation: "Fires when a data session opens on one of “Radio technologies” on one of “Networks” (MCC-MNC); leave either blank for any."
        ),
    ]

    /// The drop-down's title for `type`, or the wire name itself for a type the form does not know.
    static func title(of type: String) -> String {
        choices.first { $0.type == type }?.title ?? type
    }
}
