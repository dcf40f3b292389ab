import ArgumentParser
import Foundation

/// `simgate bench http`: API routes beside the no-op `/health`, loaded by `wrk` in one run.
///
/// Starts `simgate serve` on a fresh SQLite file with one customer and `--sims` LIVE SIMs,
/// then has wrk (which must be installed: Debian's `wrk`) hold `--connections` connections
/// on each route in turn for `--seconds`: the no-op route first, then a SIM read, then suspend
/// and activate taking turns on one SIM (every request a write), then the same spread over
/// all the SIMs, then the no-op route again; the reference is the mean of the two no-op
/// runs. Each line prints wrk's
/// requests per second, its latency percentiles, the ratio to the no-op route and how many
/// answers were not 2xx (which must be none).
struct HTTPBenchCommand: AsyncParsableCommand {
    /// `simgate bench http`, with its one-line summary.
    static let configuration = CommandConfiguration(
        commandName: "http", abstract: "Load API routes with wrk beside the no-op /health and print requests/s and the ratios."
    )

    /// `--seconds`: how long wrk loads each route.
    @Option(help: "Seconds wrk loads each route.") var seconds = 10
    /// `--connections`: wrk's open connections.
    @Option(help: "Connections wrk keeps open.") var connections = 32
    /// `--threads`: wrk's threads.
    @Option(help: "wrk's threads.") var threads = 2
    /// `--sims`: LIVE SIMs the spread writes go over.
    @Option(help: "LIVE SIMs on the account (the spread writes take turns over them).") var sims = 1_000

    /// Seeds, loads each route and prints.
    func run() async throws {
        guard let wrk = Self.executable("wrk") else { throw BenchError("wrk is not installed (Debian: apt-get install wrk)") }
        let (seconds, connections, threads, simCount) = (max(1, seconds), max(1, connections), max(1, threads), max(1, sims))
        print("SimGate bench: HTTP with wrk, \(connections) connections, \(threads) threads, \(seconds) s per route, SQLite")
        try await BenchServer.with { server in
            let customer = try await server.customer()
            _ = try await server.fleet(account: customer.account, count: simCount)
            let iccids = try await server.iccids(key: customer.key)
            guard let first = iccids.first else { throw BenchError("no SIMs were imported") }
            let scratch = try ScratchDirectory(prefix: "simgate-bench-http")
            defer { scratch.remove() }

            let noOp = Self.script(requests: [("GET", "/health", nil)], key: nil)
            let routes: [(name: String, script: String)] = [
                ("no-op GET /health (reference, first)", noOp),
                ("GET /v1/sims/{id}", Self.script(requests: [("GET", "/v1/sims/\(first)", nil)], key: customer.key)),
                ("activate/suspend, one SIM", Self.script(requests: Self.turns([first]), key: customer.key)),
                ("activate/suspend, \(iccids.count) SIMs", Self.script(requests: Self.turns(iccids), key: customer.key)),
                ("no-op GET /health (reference, last)", noOp),
            ]
            var runs: [(name: String, run: WrkRun)] = []
            for (index, route) in routes.enumerated() {
                let file = scratch.url.appendingPathComponent("route\(index).lua")
                try Data(route.script.utf8).write(to: file)
                let run = try await WrkRun.run(
                    wrk, arguments: ["-t\(threads)", "-c\(connections)", "-d\(seconds)s", "--latency", "-s", file.path, server.client.base],
                    limit: .seconds(seconds + 60)
                )
                runs.append((route.name, run))
            }
            // The no-op route is loaded first and last, and the ratios are to the mean of the
            // two: from one run to the next on this machine it gave 17,600-22,000 req/s, and a
            // change in the machine's speed during the run now weighs on both sides.
            let reference = (runs[0].run.requestsPerSecond + runs[runs.count - 1].run.requestsPerSecond) / 2
            for (name, run) in runs {
                print(String(
                    format: "%@: %.0f req/s (%.2fx no-op), latency p50 %@, p99 %@, non-2xx %d of %d",
                    name, run.requestsPerSecond, run.requestsPerSecond / reference, run.p50, run.p99, run.failed, run.requests
                ))
            }
            print(String(format: "no-op reference: %.0f req/s, the mean of its first and last runs", reference))
            print("goals: GET /v1/sims/{id} at least 0.5x the no-op route, activate/suspend at least 0.3x")
        }
    }

    /// Suspend then activate, for each of `iccids` in turn.
    static func turns(_ iccids: [String]) -> [(String, String, String?)] {
        iccids.flatMap { [("POST", "/v1/sims/\($0)/suspend", #"{"reason":"bench"}"#), ("POST", "/v1/sims/\($0)/activate", "{}")] }
    }

    /// A wrk Lua script that sends `requests` round-robin, each thread from its own point.
    static func script(requests: [(method: String, path: String, body: String?)], key: String?) -> String {
        func quoted(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        var headers = [#"["Content-Type"] = "application/json""#]
        if let key { headers.append("[\"Authorization\"] = \(quoted("Bearer " + key))") }
        let list = requests.map { request in
            "wrk.format(\(quoted(request.method)), \(quoted(request.path)), headers, \(request.body.map(quoted) ?? "nil"))"
        }
        return """
        local headers = { \(headers.joined(separator: ", ")) }
        local requests = {}
        local count = 0
        local n = 0
        init = function(args)
          requests = { \(list.joined(separator: ",\n  ")) }
          count = #requests
          n = math.random(count) - 1
        end
        request = function()
          n = n % count + 1
          return requests[n]
        end
        """
    }

    /// The absolute path of `name` on `PATH`, if it is there.
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
