import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A small JSON client over real HTTP for the benchmarks.
struct BenchClient: Sendable {
    let http: HTTPClient
    let base: String

    struct Reply: Sendable {
        let status: Int
        let body: Data
        var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:] }
    }

    func send(_ method: HTTPMethod, _ path: String, key: String? = nil, body: Data? = nil, headers: [String: String] = [:]) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return Reply(status: Int(response.status.code), body: Data(buffer: bytes))
    }

    func json(_ method: HTTPMethod, _ path: String, key: String?, _ object: Any) async throws -> Reply {
        try await send(method, path, key: key, body: try JSONSerialization.data(withJSONObject: object))
    }
}

/// Percentiles of a set of durations, in milliseconds.
struct LatencySummary {
    let sorted: [Double]

    init(_ samples: [Duration]) {
        sorted = samples.map { Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15 }.sorted()
    }

    func percentile(_ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    var text: String {
        String(format: "p50 %.1f ms, p99 %.1f ms, max %.1f ms (n=%d)", percentile(0.5), percentile(0.99), sorted.last ?? .nan, sorted.count)
    }
}
