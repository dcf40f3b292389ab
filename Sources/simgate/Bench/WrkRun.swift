import Foundation

/// One wrk run's figures, read from its `--latency` report.
struct WrkRun {
    /// Requests per second over the run.
    let requestsPerSecond: Double
    /// Requests completed.
    let requests: Int
    /// Answers with a status of 400 or above (wrk's "Non-2xx or 3xx responses").
    let failed: Int
    /// The median latency as wrk prints it (such as `1.23ms`).
    let p50: String
    /// The 99th percentile latency as wrk prints it.
    let p99: String

    /// Runs wrk and reads its report; throws when it failed or printed no figures.
    static func run(_ wrk: String, arguments: [String], limit: Duration) async throws -> WrkRun {
        let run = try await ToolProcess.run(URL(fileURLWithPath: wrk), arguments, limit: limit)
        guard !run.killed else { throw BenchError("wrk did not finish within \(limit) and was stopped") }
        guard run.status == 0, let parsed = WrkRun(report: run.output) else {
            throw BenchError("wrk failed (exit \(run.status)): \(run.output.prefix(800))")
        }
        return parsed
    }

    /// Reads the figures out of wrk's report; nil when it lacks any of them.
    init?(report: String) {
        var values: [String: String] = [:]
        for line in report.split(separator: "\n") {
            let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard let first = words.first else { continue }
            switch first {
            case "Requests/sec:" where words.count == 2: values["rate"] = words[1]
            case "50%" where words.count == 2: values["p50"] = words[1]
            case "99%" where words.count == 2: values["p99"] = words[1]
            case "Non-2xx" where words.count >= 5: values["failed"] = words.last
            default:
                if words.count >= 3, words[1] == "requests", words[2] == "in" { values["requests"] = first }
            }
        }
        guard let rate = values["rate"].flatMap(Double.init), let requests = values["requests"].flatMap(Int.init),
              let p50 = values["p50"], let p99 = values["p99"]
        else { return nil }
        self.requestsPerSecond = rate
        self.requests = requests
        self.failed = values["failed"].flatMap(Int.init) ?? 0
        self.p50 = p50
        self.p99 = p99
    }
}
