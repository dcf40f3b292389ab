import ArgumentParser
import Foundation
import SimGateCore

/// `simgate bench import`: a large stock import, both ways a user makes one, in SIMs per second.
///
/// First `simgate sims import FILE` on a CSV of `--sims` SIMs into a fresh SQLite file, run as
/// the user runs it (a child process, start-up and CSV reading included). Then the same SIMs
/// through `POST /v1/sims/import` to `simgate serve` on another fresh file, 1,000 a request
/// (the API's largest batch) with `--connections` requests in flight, as a client script would.
struct ImportBenchCommand: AsyncParsableCommand {
    /// `simgate bench import`, with its one-line summary.
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Time a stock import through `simgate sims import` and through POST /v1/sims/import (SIMs/s)."
    )

    /// `--sims`: SIMs imported each way.
    @Option(help: "SIMs imported each way.") var sims = 200_000
    /// `--connections`: API import requests in flight at once.
    @Option(help: "API import requests in flight at once (1,000 SIMs each).") var connections = 2

    /// Runs both imports and prints their rates.
    func run() async throws {
        let count = max(1, sims)
        print("SimGate bench: import of \(count) SIMs, SQLite")
        let rows = (0..<count).map(Self.row)
        try await timeCommandLine(rows)
        try await timeAPI(rows)
        print("goal: at least 20,000 SIMs/s each way")
    }

    /// One SIM: an ICCID with its check digit and an IMSI, both numbered `n`.
    static func row(_ n: Int) -> (iccid: String, imsi: String) {
        let body = "898833" + String(format: "%012d", n)
        return (body + String(Luhn.checkDigit(for: body)), "00104" + String(format: "%010d", n))
    }

    /// Has the kernel write out what earlier work left unwritten (the CSV, the first import's
    /// two gigabytes), so that a timed import does not pay for another's writeback.
    static func flushWrites() {
        sync()
    }

    private func timeCommandLine(_ rows: [(iccid: String, imsi: String)]) async throws {
        let scratch = try ScratchDirectory(prefix: "simgate-bench-import")
        defer { scratch.remove() }
        let directory = scratch.url
        let csv = directory.appendingPathComponent("sims.csv")
        var text = "iccid,imsi\n"
        text.reserveCapacity(rows.count * 37)
        for row in rows { text += row.iccid + "," + row.imsi + "\n" }
        try text.write(to: csv, atomically: false, encoding: .utf8)
        let database = directory.appendingPathComponent("import.sqlite").path
        // Migrated first, so that the timed run is the import alone, as on a running install.
        let migrate = try await ToolProcess.run(ServerProcess.thisExecutable, ["migrate", "--database", database], limit: .seconds(120))
        guard migrate.status == 0 else { throw BenchError("simgate migrate failed: \(migrate.output)") }
        Self.flushWrites()
        let start = ContinuousClock.now
        let run = try await ToolProcess.run(ServerProcess.thisExecutable, ["sims", "import", csv.path, "--database", database], limit: .seconds(1_800))
        let elapsed = (ContinuousClock.now - start).asSeconds
        guard run.status == 0, run.output.contains("Imported \(rows.count) SIM(s).") else {
            throw BenchError("simgate sims import failed (\(run.status)): \(run.output.suffix(500))")
        }
        print(String(format: "simgate sims import: %d SIMs in %.2f s, %.0f SIMs/s (process start and CSV included)", rows.count, elapsed, Double(rows.count) / elapsed))
    }

    private func timeAPI(_ rows: [(iccid: String, imsi: String)]) async throws {
        let batches = try stride(from: 0, to: rows.count, by: 1_000).map { start in
            try JSONSerialization.data(withJSONObject: [
                "sims": rows[start..<min(start + 1_000, rows.count)].map { ["iccid": $0.iccid, "imsi": $0.imsi] },
            ])
        }
        try await BenchServer.with { server in
            let (client, key) = (server.client, server.operatorKey)
            Self.flushWrites()
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                var next = 0
                func sendNext() {
                    guard next < batches.count else { return }
                    let body = batches[next]
                    next += 1
                    group.addTask {
                        let reply = try await client.send(.POST, "/v1/sims/import", key: key, body: body)
                        guard reply.status == 201 else { throw BenchError("POST /v1/sims/import: \(reply.status) \(String(decoding: reply.body.prefix(300), as: UTF8.self))") }
                    }
                }
                for _ in 0..<max(1, connections) { sendNext() }
                while try await group.next() != nil { sendNext() }
            }
            let elapsed = (ContinuousClock.now - start).asSeconds
            print(String(format: "POST /v1/sims/import: %d SIMs in %.2f s, %.0f SIMs/s (%d requests of up to 1,000, %d in flight)", rows.count, elapsed, Double(rows.count) / elapsed, batches.count, max(1, connections)))
        }
    }
}
