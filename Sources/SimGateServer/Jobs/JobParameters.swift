import Foundation
import SimGateStore

/// The parameters of one kind of durable job, and the kind's name in the jobs table. Each
/// kind is declared once, beside the code that runs it; the payload is its JSON.
protocol JobParameters: Codable, Sendable {
    /// The stored job kind (`radius.disconnect`).
    static var kind: String { get }
}

extension NewJob {
    /// A job of `parameters`' kind, its payload their JSON.
    init<Parameters: JobParameters>(_ parameters: Parameters, runAt: Date, uniqueKey: String? = nil, maxAttempts: Int = 10) throws {
        let payload = String(decoding: try JSONEncoder().encode(parameters), as: UTF8.self)
        self.init(kind: Parameters.kind, payload: payload, runAt: runAt, uniqueKey: uniqueKey, maxAttempts: maxAttempts)
    }
}

extension NewJob {
    /// The next run of a job that recurs every `period` seconds: due at the first boundary of
    /// the period after `time` (boundaries counted in whole milliseconds from 1970), and one
    /// per boundary however many instances ask, since the boundary is in its unique key. A run
    /// a fraction of a millisecond early still queues the next boundary, not its own again.
    static func periodic<Parameters: JobParameters>(_ parameters: Parameters, every period: TimeInterval, after time: Date) throws -> NewJob {
        let length = Int64(period * 1_000)
        let boundary = time.epochMilliseconds / length + 1
        return try NewJob(parameters, runAt: Date(epochMilliseconds: boundary * length), uniqueKey: "\(Parameters.kind):\(boundary)")
    }
}

extension JobHandler {
    /// Runs the jobs of `Parameters`' kind with their decoded parameters. A payload that does
    /// not decode fails the job, so after its attempts it is kept (dead) for a person to see.
    init<Parameters: JobParameters>(_: Parameters.Type, run: @escaping @Sendable (Parameters, Job) async throws -> Void) {
        self.init(kind: Parameters.kind) { job in
            try await run(try JSONDecoder().decode(Parameters.self, from: Data(job.payload.utf8)), job)
        }
    }

    /// As ``init(_:run:)``, with a way to run many jobs of the kind at once. A payload that
    /// does not decode fails the batch, whose jobs then run (and fail) one by one.
    init<Parameters: JobParameters>(
        _: Parameters.Type, run: @escaping @Sendable (Parameters, Job) async throws -> Void,
        runBatch: @escaping @Sendable ([(Parameters, Job)]) async throws -> Void
    ) {
        self.init(kind: Parameters.kind, run: { job in
            try await run(try JSONDecoder().decode(Parameters.self, from: Data(job.payload.utf8)), job)
        }, runBatch: { jobs in
            try await runBatch(try jobs.map { (try JSONDecoder().decode(Parameters.self, from: Data($0.payload.utf8)), $0) })
        })
    }
}
