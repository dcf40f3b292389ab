import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A small JSON client over real HTTP for the benchmarks.
struct BenchClient: Sendable {
    /// The HTTP client every request goes through; whoever made it shuts it down.
    let http: HTTPClient
    /// The server's base URL, such as `http://127.0.0.1:18089`; request paths are appended.
    let base: String

    /// An HTTP response as the benchmarks need it.
    struct Reply: Sendable {
        /// The HTTP status code.
        let status: Int
        /// The whole response body (read up to 512 MiB: a statement's CSV of a large fleet is tens of MiB).
        let body: Data
        /// The response's headers (the dashboard bench reads its session cookie from them).
        var headers = HTTPHeaders()
        /// The body as a JSON object; empty when it is not one.
        var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:] }
    }

    /// Sends a request with `key` as Bearer token and `body` as JSON; gives up after `timeout`.
    func send(
        _ method: HTTPMethod, _ path: String, key: String? = nil, body: Data? = nil, headers: [String: String] = [:], timeout: Duration = .seconds(30)
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            if request.headers["Content-Type"].isEmpty { request.headers.add(name: "Content-Type", value: "application/json") }
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await http.execute(request, timeout: .milliseconds(Int64(timeout.asSeconds * 1000)))
        let bytes = try await response.body.collect(upTo: 512 * 1024 * 1024)
        return Reply(status: Int(response.status.code), body: Data(buffer: bytes), headers: response.headers)
    }

    /// Polls `/health` until it answers 200, for at most `limit`. Each try gives up after a
    /// second: a request to a port nothing listens on yet is not refused at once, as the HTTP
    /// client keeps trying to connect until the request's own deadline. Stops at once, saying
    /// so, when `serverRuns` says the server has gone (a setting it could not read, a port
    /// taken): before, a server that never came up held the bench for 200 tries of 30 seconds.
    /// `output` says where the server's output went, for the error.
    func waitUntilUp(within limit: Duration = .seconds(60), output: String = "its output above", serverRuns: @Sendable () -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            guard serverRuns() else { throw BenchError("the benchmark's server exited before it answered (\(output) says why)") }
            if (try? await send(.GET, "/health", timeout: .seconds(1)).status) == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchError("the benchmark's server did not answer /health within \(limit)")
    }

    /// Sends `object`, serialised, as the JSON body.
    func json(_ method: HTTPMethod, _ path: String, key: String?, _ object: Any) async throws -> Reply {
        try await send(method, path, key: key, body: try JSONSerialization.data(withJSONObject: object))
    }

    /// Creates a customer account named `name` with the operator's key; returns its id.
    func createAccount(named name: String, operatorKey: String) async throws -> String {
        let account = try await json(.POST, "/v1/accounts", key: operatorKey, ["name": name])
        guard let id = account.json["id"] as? String else { throw BenchError("no account: \(String(decoding: account.body, as: UTF8.self))") }
        return id
    }
}

/// Percentiles of a set of durations, in milliseconds.
struct LatencySummary {
    /// The samples in milliseconds, smallest first.
    let sorted: [Double]

    /// Converts `samples` to milliseconds and sorts them.
    init(_ samples: [Duration]) {
        sorted = samples.map { Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15 }.sorted()
    }

    /// The nearest-rank percentile for `p` in (0, 1] (0.99 for p99); NaN when there are no samples.
    func percentile(_ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    /// One line for the report: p50, p99, maximum and sample count.
    var text: String {
        String(format: "p50 %.1f ms, p99 %.1f ms, max %.1f ms (n=%d)", percentile(0.5), percentile(0.99), sorted.last ?? .nan, sorted.count)
    }

    /// The same line to hundredths of a millisecond (RADIUS round trips are fractions of one),
    /// with `note`, when there is one, inside the parentheses after the count.
    func preciseText(note: String? = nil) -> String {
        String(format: "p50 %.2f ms, p99 %.2f ms, max %.2f ms (n=%d", percentile(0.5), percentile(0.99), sorted.last ?? .nan, sorted.count)
            + (note.map { ", \($0))" } ?? ")")
    }
}
