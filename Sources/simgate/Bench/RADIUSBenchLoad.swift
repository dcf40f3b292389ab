import Foundation
import SimGateCore
import SimGateRADIUS

/// The accounting traffic of `simgate bench radius`, built before the clock starts.
///
/// Update `i` belongs to session `i % sessions` and is that session's `(i / sessions)`-th
/// report: the first is a Start, the last a Stop, the rest Interim-Updates. Each report
/// carries the session's cumulative totals, 1,000 bytes up and 10,000 down per report.
struct RADIUSBenchLoad {
    /// Byte totals in both directions.
    struct Bytes: Equatable {
        /// Bytes from the devices (reported as Acct-Input-Octets).
        let up: UInt64
        /// Bytes to the devices (reported as Acct-Output-Octets).
        let down: UInt64
    }

    /// One IMSI per session: session `n` is `imsis[n]`'s.
    let imsis: [String]
    /// Accounting-Requests to build in all.
    let updates: Int
    /// The shared secret the requests are signed with.
    let secret: [UInt8]
    /// What session IDs start with: two loads with different prefixes never share a session.
    var sessionPrefix = "bench"

    /// Updates that are `session`'s: an even share, plus one for the first `updates % imsis.count`.
    func reports(of session: Int) -> Int { updates / imsis.count + (session < updates % imsis.count ? 1 : 0) }

    /// What SimGate should store once every update is in: each session's last report, summed.
    var expectedBytes: Bytes {
        let reports = (0..<imsis.count).reduce(UInt64(0)) { $0 + UInt64(max(0, self.reports(of: $1) - 1)) }
        return Bytes(up: reports * 1_000, down: reports * 10_000)
    }

    /// The `index`-th request in sending order: update `index` of the whole load.
    func request(_ index: Int) -> GatewayAccountingRequest {
        let session = index % imsis.count
        let sequence = index / imsis.count
        let last = reports(of: session) - 1
        let status: AccountingStatusType = sequence == 0 ? .start : sequence == last ? .stop : .interimUpdate
        // Reports count from the Start (which carries zero), so the bytes sent are the last report's totals.
        return GatewayAccountingRequest(
            status, nas: .name("bench-pgw"), sessionID: "\(sessionPrefix)-\(session)", imsi: imsis[session], mccMNC: "26201",
            imeisv: String(format: "35%012d01", session), ratType: 6,
            inputBytes: UInt64(sequence * 1_000), outputBytes: UInt64(sequence * 10_000)
        )
    }

    /// The signed datagrams, dealt round-robin to `sockets` streams in sending order.
    func packets(sockets: Int) -> [[[UInt8]]] {
        var streams = Array(repeating: [[UInt8]](), count: sockets)
        for index in 0..<updates {
            let packet = request(index).signed(identifier: UInt8(truncatingIfNeeded: streams[index % sockets].count), secret: secret)
            streams[index % sockets].append(packet.encoded())
        }
        return streams
    }

    /// The same requests as radclient packet files, one per radclient process. A session's
    /// reports all go to one file, in order, so no process can overtake another's Start with
    /// its Stop.
    func radclientFiles(count: Int) -> [String] {
        var files = Array(repeating: [String](), count: count)
        for index in 0..<updates {
            files[(index % imsis.count) % count].append(RadclientReplay.text(of: request(index)))
        }
        return files.map { $0.joined(separator: "\n") }
    }

    /// The ICCID of the `n`-th SIM ``prepareSims(_:operatorKey:count:first:account:)`` imports.
    static func iccid(_ n: Int) -> String {
        let body = "898832" + String(format: "%012d", n)
        return body + String(Luhn.checkDigit(for: body))
    }

    /// Imports `count` SIMs numbered from `first` to `account` and makes them LIVE; returns
    /// their IMSIs.
    static func prepareSims(_ client: BenchClient, operatorKey: String, count: Int, first: Int = 0, account: String) async throws -> [String] {
        var imsis: [String] = []
        for start in stride(from: first, to: first + count, by: 1_000) {
            let rows = (start..<min(start + 1_000, first + count)).map { n -> [String: String] in
                let imsi = "00103" + String(format: "%010d", n)
                imsis.append(imsi)
                return ["iccid": iccid(n), "imsi": imsi]
            }
            let reply = try await client.json(.POST, "/v1/sims/import", key: operatorKey, ["sims": rows, "account": account])
            guard reply.status == 201 else { throw BenchError("import failed: \(String(decoding: reply.body, as: UTF8.self))") }
            let iccids = rows.compactMap { $0["iccid"] }
            // Checked: a bulk action answers 200 whatever each SIM's outcome.
            let activated = try await client.json(.POST, "/v1/sims/bulk", key: operatorKey, ["action": "activate", "iccids": iccids])
            guard activated.json["succeeded"] as? Int == iccids.count else {
                throw BenchError("activation failed: \(String(decoding: activated.body.prefix(500), as: UTF8.self))")
            }
        }
        return imsis
    }
}
