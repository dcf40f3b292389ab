import Foundation
import SimGateRADIUS

/// What a simulation did, added up over every device.
struct SimulationTally: Sendable {
    /// Devices that took part.
    var devices = 0
    /// Access-Requests answered with Access-Accept.
    var accepted = 0
    /// Access-Rejects, counted by their Reply-Message.
    var rejections: [String: Int] = [:]
    /// Access-Requests that got no reply, retries included.
    var unanswered = 0
    /// Data sessions started.
    var sessions = 0
    /// Accounting-Requests sent, by Acct-Status-Type, answered or not.
    var starts = 0, interims = 0, stops = 0
    /// Accounting-Requests that got no reply, retries included.
    var accountingUnanswered = 0
    /// Times a device moved to another network during a session.
    var roams = 0
    /// Bytes the devices reported sending, over every session.
    var bytesUp: UInt64 = 0
    /// Bytes the devices reported receiving, over every session.
    var bytesDown: UInt64 = 0
    /// Serving networks (MCC-MNC) that any accounting update named.
    var countries: Set<String> = []

    /// Requests SimGate answered at all, on either port.
    var answered: Int { accepted + rejections.values.reduce(0, +) + starts + interims + stops - accountingUnanswered }

    /// Counts one Accounting-Request of `status` and whether it was answered.
    mutating func record(_ status: AccountingStatusType, answered: Bool) {
        switch status {
        case .start: starts += 1
        case .stop: stops += 1
        default: interims += 1
        }
        if !answered { accountingUnanswered += 1 }
    }

    /// Adds another device's tally to this one.
    mutating func add(_ other: SimulationTally) {
        devices += other.devices
        accepted += other.accepted
        rejections.merge(other.rejections, uniquingKeysWith: +)
        unanswered += other.unanswered
        sessions += other.sessions
        starts += other.starts
        interims += other.interims
        stops += other.stops
        accountingUnanswered += other.accountingUnanswered
        roams += other.roams
        bytesUp += other.bytesUp
        bytesDown += other.bytesDown
        countries.formUnion(other.countries)
    }

    /// The report printed at the end; `seconds` is how long the run took.
    func summary(seconds: Double) -> String {
        let updates = starts + interims + stops
        var lines = [
            String(format: "Done in %.1f s: %d device(s).", seconds, devices),
            "Access: \(accepted) accepted, \(rejections.values.reduce(0, +)) rejected, \(unanswered) unanswered.",
        ]
        for (reason, count) in rejections.sorted(by: { $0.value > $1.value }) { lines.append("  rejected \(count)x: \(reason)") }
        lines.append(String(format: "Accounting: %d sessions; %d Start, %d Interim-Update, %d Stop (%.0f per second); %d unanswered.",
                            sessions, starts, interims, stops, Double(updates) / max(seconds, 0.001), accountingUnanswered))
        lines.append("Reported \(bytesUp) bytes up and \(bytesDown) down over \(countries.count) network(s) (\(countries.sorted().joined(separator: ", "))), \(roams) roaming move(s).")
        return lines.joined(separator: "\n")
    }
}
