import Foundation
import Hummingbird
import Logging
import NIOCore
import SimGateCore
import Synchronization

/// A webhook receiver on loopback for the benchmarks: answers 204 at once and notes, for each
/// delivery, how long after its event's time it arrived and its `webhook-id`. Told to hold,
/// it keeps requests unanswered (up to 30 s each), as an endpoint that hangs.
final class BenchReceiver: Sendable {
    /// The loopback TCP port it listens on.
    let port: Int
    /// The machine's clock, as the server under test reads it.
    private let clock: any WallClock = SystemWallClock()
    /// The URL to subscribe as a webhook endpoint.
    var url: String { "http://127.0.0.1:\(port)/hook" }
    private let arrivals = Mutex<[Double]>([])
    private let ids = Mutex<(answered: Set<String>, arrivals: Int, holding: Bool)>(([], 0, false))

    private init(port: Int) { self.port = port }

    /// Deliveries received so far.
    var count: Int { arrivals.withLock { $0.count } }

    /// The lags, in milliseconds, of the deliveries after the first `start`.
    func lags(since start: Int) -> LatencySummary {
        let lags = arrivals.withLock { Array($0.dropFirst(start)) }
        return LatencySummary(lags.map { Duration.milliseconds(Int64($0)) })
    }

    /// The `webhook-id`s of the deliveries answered 204 (not those held).
    var answeredIDs: Set<String> { ids.withLock { $0.answered } }
    /// Requests that arrived with a `webhook-id`, held ones and repeats included.
    var requestsWithID: Int { ids.withLock { $0.arrivals } }

    /// Whether requests from now on are held unanswered.
    func hold(_ holding: Bool) { ids.withLock { $0.holding = holding } }

    /// Holds a request while the receiver is told to (at most 30 s); true if it is to be
    /// answered, false if it was held (its sender has given up or died by then).
    private func answers(webhookID: String) async -> Bool {
        let held = ids.withLock { state in
            state.arrivals += 1
            return state.holding
        }
        if held {
            let end = ContinuousClock.now + .seconds(30)
            while ids.withLock({ $0.holding }), ContinuousClock.now < end, !Task.isCancelled { try? await Task.sleep(for: .milliseconds(50)) }
            return false
        }
        ids.withLock { _ = $0.answered.insert(webhookID) }
        return true
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
            guard let receiver = holder.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
            if let id = request.headers.first(where: { $0.name.canonicalName == "webhook-id" })?.value, await !receiver.answers(webhookID: id) {
                return Response(status: .serviceUnavailable)
            }
            receiver.received(bytes)
            return Response(status: .noContent)
        }
        var logger = Logger(label: "simgate.bench.receiver")
        // Its shutdown, by cancellation, logs an error that is none.
        logger.logLevel = .critical
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
