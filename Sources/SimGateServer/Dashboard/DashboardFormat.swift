import Foundation
import SimGateCore

/// How the dashboard writes values for people: times in UTC, bytes in binary units, actors
/// by kind and id. Display only; nothing here is parsed back.
enum DashboardFormat {
    /// `2026-12-02 07:41:05 UTC`.
    static func time(_ date: Date) -> String {
        let text = RFC3339.string(from: date)
        return text.prefix(19).replacingOccurrences(of: "T", with: " ") + " UTC"
    }

    /// Bytes in the largest binary unit that keeps the number at or above one, with one
    /// decimal, worked out in integers.
    static func bytes(_ count: UInt64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB", "PB", "EB"]
        var unit = 0
        var divisor: UInt64 = 1
        while unit < units.count - 1, count / divisor >= 1_024 {
            divisor *= 1_024
            unit += 1
        }
        if unit == 0 { return "\(count) B" }
        // The remainder is below the divisor (at most 2^60), so ten times it fits.
        let tenth = (count % divisor) * 10 / divisor
        return "\(count / divisor).\(tenth) \(units[unit])"
    }

    /// Who made a change: `api_key key_...`, `system webhooks`, `radius`.
    static func actor(_ actor: ChangeActor) -> String {
        actor.id.map { "\(actor.kind.rawValue) \($0)" } ?? actor.kind.rawValue
    }
}
