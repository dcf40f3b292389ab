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

    /// Ends a ``sample(count:pause:)`` that is running, after its current request (and the
    /// activate after a suspend).
    func stop() { stopped.store(true, ordering: .releasing) }

    /// Sends up to `count` writes (an even number leaves the SIM LIVE), `pause` apart, until
    /// ``stop()``.
    func sample(count: Int = .max, pause: Duration) async throws -> Samples {
        var durations: [Duration] = []
        var failed = 0
        var firstFailure: String?
        // The same two writes `bench http` takes turns with: suspend, then activate.
        let turns = HTTPBenchCommand.turns([iccid])
        var sent = 0
        // Stopped after a suspend, its activate still goes, so the SIM is left LIVE.
        while sent < count, !stopped.load(ordering: .acquiring) || !sent.isMultiple(of: turns.count) {
            let (_, path, body) = turns[sent % turns.count]
            sent += 1
            let start = ContinuousClock.now
            let reply = try await client.send(.POST, path, key: key, body: body.map { Data($0.utf8) })
            if reply.status == 200 {
                durations.append(ContinuousClock.now - start)
            } else {
                failed += 1
                if firstFailure == nil { firstFailure = "\(reply.status) \(String(decoding: reply.body, as: UTF8.self))" }
            }
            try await Task.sleep(for: pause)
        }
        return Samples(durations: durations, failed: failed, firstFailure: firstFailure)
    }
}
