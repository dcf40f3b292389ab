import Foundation
import Glibc
import SimGateRADIUS

/// Plays a gateway's accounting with FreeRADIUS's own client, radclient, reading the packets
/// from text files, so that SimGate and FreeRADIUS are driven by the same independent sender
/// with the same packets.
enum RadclientReplay {
    /// What the radclient processes reported once every packet was answered or given up on.
    struct Outcome {
        /// Wall-clock seconds from the first radclient's start to the last one's exit.
        let seconds: Double
        /// Requests answered, summed over the processes ("Accepted" in radclient's summary).
        let answered: Int
        /// Requests given up on after radclient's retries ("Lost").
        let lost: Int
    }

    /// radclient's attribute-per-line form of `request`, as its `-f` option reads it; packets
    /// in one file are separated by an empty line. The dictionary names are FreeRADIUS's.
    static func text(of request: GatewayAccountingRequest) -> String {
        let status = switch request.status {
        case .start: "Start"
        case .stop: "Stop"
        case .interimUpdate: "Interim-Update"
        case .accountingOn: "Accounting-On"
        case .accountingOff: "Accounting-Off"
        }
        var lines = ["Acct-Status-Type = \(status)"]
        switch request.nas {
        case .address(let octets): lines.append("NAS-IP-Address = " + octets.map(String.init).joined(separator: "."))
        case .name(let name): lines.append("NAS-Identifier = \"\(name)\"")
        }
        lines += [
            "Acct-Session-Id = \"\(request.sessionID)\"",
            "User-Name = \"\(request.userName ?? request.imsi)\"",
            "3GPP-IMSI = \"\(request.imsi)\"",
        ]
        if let mccMNC = request.mccMNC { lines.append("3GPP-SGSN-MCC-MNC = \"\(mccMNC)\"") }
        if let imeisv = request.imeisv { lines.append("3GPP-IMEISV = \"\(imeisv)\"") }
        if let ratType = request.ratType { lines.append("3GPP-RAT-Type = \(ratType)") }
        lines += [
            "Acct-Input-Octets = \(UInt32(truncatingIfNeeded: request.inputBytes))",
            "Acct-Input-Gigawords = \(request.inputBytes >> 32)",
            "Acct-Output-Octets = \(UInt32(truncatingIfNeeded: request.outputBytes))",
            "Acct-Output-Gigawords = \(request.outputBytes >> 32)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Runs one radclient per file at once against `port` on loopback, each with `window`
    /// requests in flight, and waits for all of them (radclient's own time-out and retries
    /// bound each request: 3 s, 3 tries). A radclient still running after `limit` is killed
    /// and the run fails.
    static func run(files: [URL], port: Int, secret: String, window: Int, radclient: URL, limit: Duration) async throws -> Outcome {
        let start = ContinuousClock.now
        let summaries = try await withThrowingTaskGroup(of: String.self) { group in
            for file in files {
                group.addTask {
                    try await runOne(radclient, limit: limit, ["-q", "-s", "-p", "\(window)", "-t", "3", "-r", "3", "-f", file.path, "127.0.0.1:\(port)", "acct", secret])
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        let seconds = (ContinuousClock.now - start).asSeconds
        return Outcome(
            seconds: seconds,
            answered: summaries.reduce(0) { $0 + count("Accepted", in: $1) },
            lost: summaries.reduce(0) { $0 + count("Lost", in: $1) }
        )
    }

    /// The number after `label` and a colon in radclient's packet summary.
    private static func count(_ label: String, in summary: String) -> Int {
        for line in summary.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == label {
                return Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
            }
        }
        return 0
    }

    /// Runs radclient to its end and returns what it printed; throws if it failed.
    private static func runOne(_ executable: URL, limit: Duration, _ arguments: [String]) async throws -> String {
        let run = try await ToolProcess.run(executable, arguments, limit: limit)
        let text = run.output
        if run.killed {
            throw BenchError("radclient did not finish within \(limit) and was stopped: it waits forever on requests it no longer resends")
        }
        // radclient exits 1 when some request got no answer; the summary still says how many.
        guard text.contains("Accepted") else { throw BenchError("radclient printed no summary (exit \(run.status)): \(text.prefix(500))") }
        return text
    }
}
