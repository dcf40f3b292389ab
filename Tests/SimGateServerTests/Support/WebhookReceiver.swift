import Crypto
import Foundation
import Hummingbird
import NIOCore
import SimGateStore
import SimGateTestSupport
import Synchronization
import Testing

/// A customer's webhook endpoint on loopback: keeps every request, and answers each with what
/// the test scripted (a status, a `Retry-After`, or no answer until released).
final class WebhookReceiver: Sendable {
    /// One request as it arrived.
    struct Received: Sendable {
        let headers: [String: String]
        let body: Data
        var id: String { headers["webhook-id"] ?? "" }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var type: String? { json["type"] as? String }
    }

    /// How to answer.
    enum Answer: Sendable {
        case status(Int, retryAfter: String? = nil)
        /// Hold the request until ``release()``.
        case hang
        /// Answer 200 at once, then send the body a byte every `every`, without end, until
        /// SimGate closes the connection (``trickleCut`` opens) or ``release()``.
        case trickle(every: Duration)
    }

    let port: Int
    var url: String { "http://127.0.0.1:\(port)/hook" }
    private let state = Mutex<(script: [Answer], otherwise: Answer, received: [Received])>(([], .status(200), []))
    /// Told how many requests have arrived, for ``waitFor(_:)``.
    private let arrivals = CountWaiters()
    private let released = OnceSignal()
    /// Opened when SimGate stops reading a trickled body (the write to it fails).
    let trickleCut = OnceSignal()

    private init(port: Int) { self.port = port }

    /// Answers the next requests with `answers` in order, then with `otherwise`.
    func script(_ answers: [Answer], otherwise: Answer = .status(200)) {
        state.withLock { $0.script = answers; $0.otherwise = otherwise }
    }

    /// Lets every hanging request (and any later one told to hang) answer 200.
    func release() { released.open() }

    /// Every request so far.
    var received: [Received] { state.withLock { $0.received } }

    /// Waits until at least `count` requests arrived, then returns them all. The wait ends on
    /// an arrival, never on a timer: the suite's time limit bounds a receiver that gets nothing.
    func waitFor(_ count: Int) async -> [Received] {
        await arrivals.wait(for: count)
        return received
    }

    private func handle(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let answer = state.withLock { state -> Answer in
            state.received.append(Received(headers: headers, body: Data(buffer: body)))
            arrivals.reached(state.received.count)
            return state.script.isEmpty ? state.otherwise : state.script.removeFirst()
        }
        switch answer {
        case .hang:
            await released.wait()
            return Response(status: .ok)
        case .trickle(let every):
            let (released, cut) = (self.released, trickleCut)
            return Response(status: .ok, body: ResponseBody { writer in
                // A slow peer is what is tested: the pause between bytes is the behaviour, not
                // a wait for an effect. The loop ends when the write fails (SimGate hung up).
                while !released.isOpen {
                    do {
                        try await writer.write(ByteBuffer(string: "x"))
                    } catch {
                        cut.open()
                        throw error
                    }
                    try await Task.sleep(for: every)
                }
                try await writer.finish(nil)
            })
        case .status(let code, let retryAfter):
            var response = Response(status: .init(code: code), body: .init(byteBuffer: ByteBuffer(string: "answer \(code)")))
            if let retryAfter { response.headers[.retryAfter] = retryAfter }
            return response
        }
    }

    /// Runs a receiver for the length of `body`.
    static func serving<T: Sendable>(_ body: @escaping @Sendable (WebhookReceiver) async throws -> T) async throws -> T {
        let bound = Mutex<Int?>(nil)
        let listening = OnceSignal()
        let holder = Mutex<WebhookReceiver?>(nil)
        let router = Router()
        router.post("hook") { request, _ -> Response in
            guard let receiver = holder.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
            return try await receiver.handle(request)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), onServerRunning: { channel in
            bound.withLock { $0 = channel.localAddress?.port }
            listening.open()
        })
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            await listening.wait()
            let receiver = WebhookReceiver(port: try #require(bound.withLock { $0 }))
            holder.withLock { $0 = receiver }
            defer {
                receiver.release()
                group.cancelAll()
            }
            return try await body(receiver)
        }
    }
}

/// Checks Standard Webhooks signatures the way a receiver does, written apart from SimGate's signer.
enum SignatureCheck {
    /// Whether one of the `v1,` signatures in `received` is the HMAC of its id, timestamp and body under `secret`.
    static func verifies(_ received: WebhookReceiver.Received, secret: String) -> Bool {
        guard secret.hasPrefix("whsec_"), let key = Data(base64Encoded: String(secret.dropFirst(6))),
              let id = received.headers["webhook-id"], let timestamp = received.headers["webhook-timestamp"],
              let header = received.headers["webhook-signature"] else { return false }
        let expected = Data(HMAC<SHA256>.authenticationCode(for: Data("\(id).\(timestamp).".utf8) + received.body, using: SymmetricKey(data: key))).base64EncodedString()
        return header.split(separator: " ").contains { $0 == "v1,\(expected)" }
    }
}
