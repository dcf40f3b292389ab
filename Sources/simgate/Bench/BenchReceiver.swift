import Foundation
import Hummingbird
import Logging
import NIOCore
import SimGateCore
import Synchronization

/// A webhook receiver on loopback for the benchmarks: answers 204 at once and notes, for each
/// delivery, how long after its event's time it arrived.
final class BenchReceiver: Sendable {
    /// The loopback TCP port it listens on.
    let port: Int
    /// The machine's clock, as the server under test reads it.
    private let clock: any WallClock = SystemWallClock()
    /// The URL to subscribe as a webhook endpoint.
    var url: String { "http://127.0.0.1:\(port)/hook" }
    private let arrivals = Mutex<[Double]>([])

    private init(port: Int) { self.port = port }

    /// Deliveries received so far.
    var count: Int { arrivals.withLock { $0.count } }

    /// The lags, in milliseconds, of the deliveries after the first `start`.
    func lags(since start: Int) -> LatencySummary {
        let lags = arrivals.withLock { Array($0.dropFirst(start)) }
        return LatencySummary(lags.map { Duration.milliseconds(Int64($0)) })
    }

    /// Waits (polling every 20 ms, at most `limit`) until `count` deliveries arrived.
    func waitFor(_ count: Int, limit: Duration) async throws {
        let deadline = ContinuousClock.now + limit
        while self.count < count {
            guard ContinuousClock.now < deadline else { throw BenchError("only \(self.count) of \(count) deliveries arrived") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private func received(_ body: ByteBuffer) {
        // The server's clock is the machine's (a separate process), so arrival is read from it too.
        let arrived = clock.now()
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any]
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let lag = (json?["timestamp"] as? String).flatMap(formatter.date(from:)).map { arrived.timeIntervalSince($0) * 1_000 } ?? .nan
        arrivals.withLock { $0.append(lag) }
    }

    /// Runs a receiver for the length of `body`.
    static func with<T: Sendable>(_ body: (BenchReceiver) async throws -> T) async throws -> T {
        let holder = Mutex<BenchReceiver?>(nil)
        let port = Mutex<Int?>(nil)
        let router = Router()
        router.post("hook") { request, _ -> Response in
            var request = request
            let bytes = try await request.collectBody(upTo: 1 << 20)
            holder.withLock { $0 }?.received(bytes)
            return Response(status: .noContent)
        }
        var logger = Logger(label: "simgate.bench.receiver")
        logger.logLevel = .error
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), onServerRunning: { channel in
            port.withLock { $0 = channel.localAddress?.port }
        }, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            for _ in 0..<500 where port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(10)) }
            guard let bound = port.withLock({ $0 }) else { throw BenchError("the receiver did not start") }
            let receiver = BenchReceiver(port: bound)
            holder.withLock { $0 = receiver }
            defer { group.cancelAll() }
            return try await body(receiver)
        }
    }
}
