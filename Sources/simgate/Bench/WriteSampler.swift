import Foundation
import Synchronization

/// Times SIM writes through the API while another load runs: suspend, then activate, taking
/// turns on one SIM, one request at a time, `pause` apart. SQLite has one writer, which
/// accounting batches and API writes share; this is how long an operator's change waits for it.
/// Each request is bounded by the client's own timeout (30 s).
final class WriteSampler: Sendable {
    /// The answered writes' round trips, and how many were not answered 200.
    struct Samples {
        let durations: [Duration]
        let failed: Int
        /// The first write not answered 200: its status and body, to say why.
        let firstFailure: String?
    }

    private let client: BenchClient
    private let key: String
    private let iccid: String
    private let stopped = Atomic<Bool>(false)

    /// Writes will suspend and activate `iccid` with `key`.
    init(client: BenchClient, key: String, iccid: String) {
        self.client = client
        self.key = key
        self.iccid = iccid
    }

    /// Ends a ``sample(pause:)`` that is running, after its current request.
    func stop() { stopped.store(true, ordering: .releasing) }

    /// Sends up to `count` writes (an even number leaves the SIM LIVE), `pause` apart, until
    /// ``stop()``; once stopped, a suspend is followed by its activate.
    func sample(count: Int = .max, pause: Duration) async throws -> Samples {
        var durations: [Duration] = []
        var failed = 0
        var firstFailure: String?
        var suspend = true
        var sent = 0
        while sent < count, !stopped.load(ordering: .acquiring) || !suspend {
            sent += 1
            let (path, body) = suspend ? ("/v1/sims/\(iccid)/suspend", #"{"reason":"bench"}"#) : ("/v1/sims/\(iccid)/activate", "{}")
            let start = ContinuousClock.now
            let reply = try await client.send(.POST, path, key: key, body: Data(body.utf8))
            if reply.status == 200 {
                durations.append(ContinuousClock.now - start)
            } else {
                failed += 1
                if firstFailure == nil { firstFailure = "\(reply.status) \(String(decoding: reply.body, as: UTF8.self))" }
            }
            suspend.toggle()
            try await Task.sleep(for: pause)
        }
        return Samples(durations: durations, failed: failed, firstFailure: firstFailure)
    }
}
