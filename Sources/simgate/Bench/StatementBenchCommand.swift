import ArgumentParser
import Foundation
import Logging
import SimGateCore
import SimGateServer
import SimGateStore

/// `simgate bench statement`: one account's monthly statement over a large fleet, through the API.
///
/// Seeds `--sims` SIMs with a month of history (payment holds, tariff changes, usage on a
/// standard and a pooled tariff) in a fresh SQLite file, starts `simgate serve` on it, and
/// times `GET /v1/statements` for last month as the operator asks it: computed from periods,
/// prices and usage on every request while the month is still closing; then the CSV of every
/// line; then freezing the month, and reading the frozen copy.
struct StatementBenchCommand: AsyncParsableCommand {
    /// `simgate bench statement`, with its one-line summary.
    static let configuration = CommandConfiguration(
        commandName: "statement", abstract: "Time one account's statement of a large fleet: computed, as CSV, frozen and read back."
    )

    /// `--sims`: SIMs on the account.
    @Option(help: "SIMs on the account.") var sims = 100_000
    /// `--runs`: requests timed for each figure.
    @Option(help: "Requests timed for each figure (the best and the median are printed).") var runs = 3

    /// Seeds, serves, times and prints.
    func run() async throws {
        let month = BillingMonth(containing: SystemWallClock().now()).previous
        print("SimGate bench: statement of \(month) for \(sims) SIMs, SQLite")
        let (count, seedStart) = (sims, ContinuousClock.now)
        // Seeded (and the schema stamped) as of two days before the month, so that the account
        // and SimGate's SIM history are older than the statement.
        let then = OffsetWallClock(offset: month.start.addingTimeInterval(-2 * 86_400).timeIntervalSince(SystemWallClock().now()))
        // Kept closing (computed on each request) for 30 days, so the first figures are of the computation.
        try await BenchServer.with(arguments: ["--statements-freeze-after", "720"], migratedAt: then, seed: { database in
            try await Administration(database: database, clock: then).seedStatementFleet(count: count, month: month)
        }) { server, fleet in
            print(String(
                format: "seeded: %d SIMs (%d with a payment hold for 10 days, %d changing tariff), a usage record each, in %.1f s",
                fleet.sims, fleet.suspended, fleet.retariffed, (ContinuousClock.now - seedStart).asSeconds
            ))
            let path = "/v1/statements?account=\(fleet.accountID)&month=\(month)&limit=100"
            let computed = try await timed(server, path)
            print(String(format: "computed (GET, JSON, first 100 lines; state %@): best %.2f s, median %.2f s; goal under 2 s", computed.state, computed.best, computed.median))
            print("  \(computed.summary)")
            let csv = try await timed(server, path + "&format=csv")
            print(String(format: "CSV of every line (%.1f MB): best %.2f s, median %.2f s", Double(csv.bytes) / 1_048_576, csv.best, csv.median))

            let logger = { var logger = Logger(label: "simgate.bench"); logger.logLevel = .error; return logger }()
            let database = try SimGateDatabase(.sqlite(path: server.databasePath), logger: logger)
            let freezeStart = ContinuousClock.now
            try await database.withRunning { try await Administration(database: database).freezeStatement(of: fleet.accountID, month: month) }
            print(String(format: "frozen (computed and stored with every line): %.2f s", (ContinuousClock.now - freezeStart).asSeconds))
            let frozen = try await timed(server, path)
            print(String(format: "frozen, read back (GET, JSON, first 100 lines; state %@): best %.3f s, median %.3f s", frozen.state, frozen.best, frozen.median))
            let frozenCSV = try await timed(server, path + "&format=csv")
            print(String(format: "frozen CSV: best %.2f s, median %.2f s", frozenCSV.best, frozenCSV.median))
        }
    }

    /// `runs` GETs of `path`: the best and median seconds, the body size, and what the JSON says.
    private func timed(_ server: BenchServer, _ path: String) async throws -> (best: Double, median: Double, bytes: Int, state: String, summary: String) {
        var times: [Double] = []
        var last: BenchClient.Reply?
        for _ in 0..<max(1, runs) {
            let start = ContinuousClock.now
            let reply = try await server.client.send(.GET, path, key: server.operatorKey)
            times.append((ContinuousClock.now - start).asSeconds)
            guard reply.status == 200 else { throw BenchError("GET \(path): \(reply.status) \(String(decoding: reply.body.prefix(500), as: UTF8.self))") }
            last = reply
        }
        times.sort()
        let json = last?.json ?? [:]
        let total = (json["totals"] as? [[String: Any]])?.first ?? [:]
        let summary = "\(json["line_count"] ?? "?") lines; total \(total["amount"] ?? "?") \(total["currency"] ?? ""), saved by OFFLINE time \(total["saved"] ?? "?")"
        return (times[0], times[times.count / 2], last?.body.count ?? 0, json["state"] as? String ?? "csv", summary)
    }
}
