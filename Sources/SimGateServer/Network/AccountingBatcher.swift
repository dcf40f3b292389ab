import Logging
import ServiceLifecycle
import SimGateStore

/// Group commit for accounting: reports that arrive while a transaction is being written wait
/// and go into the next one together, and each caller is answered only after the
/// transaction holding its report has committed. Under load one commit serves hundreds of
/// reports; with a single report it costs one transaction, as before.
///
/// A Service of the app's group: its ``run()`` writes the batches, and on shutdown it writes
/// what is still waiting before it stops (the RADIUS ports, stopped first, send no more).
actor AccountingBatcher: Service {
    /// Writes one batch of reports inside the given transaction.
    typealias Apply = @Sendable ([AccountingReport], StoreTransaction) async throws -> Void

    /// Most reports in one transaction.
    static let maximumBatch = 500

    private let store: Store
    private let metrics: RADIUSMetrics
    private let logger: Logger
    private let apply: Apply
    private var pending: [(AccountingReport, CheckedContinuation<Void, any Error>)] = []
    /// Rung when a report arrives; ``run()`` waits on it when there is nothing to write.
    private let work = Doorbell()
    private var isStopped = false

    /// `apply` writes each batch; `metrics` records batch sizes and commit times.
    init(store: Store, metrics: RADIUSMetrics, logger: Logger, apply: @escaping Apply) {
        self.metrics = metrics
        self.store = store
        self.logger = logger
        self.apply = apply
    }

    /// Returns once `report` is durable; throws if it could not be stored (or the batcher
    /// has stopped).
    func submit(_ report: AccountingReport) async throws {
        guard !isStopped else { throw BatcherStopped() }
        try await withCheckedThrowingContinuation { continuation in
            pending.append((report, continuation))
            work.ring()
        }
    }

    /// Writes batches as reports arrive, until graceful shutdown or cancellation; then writes
    /// what is left and refuses what comes after.
    func run() async throws {
        _ = await cancelWhenGracefulShutdown { await self.writeUntilStopped() }
        isStopped = true
        await flush()
    }

    private func writeUntilStopped() async {
        while !Task.isCancelled {
            if pending.isEmpty { await work.waitForRing() }
            await flush()
        }
    }

    /// The batcher is no longer running: a report submitted now is not written.
    struct BatcherStopped: Error {}

    private func flush() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(Self.maximumBatch))
            pending.removeFirst(batch.count)
            do {
                try await write(batch.map(\.0))
                for (_, continuation) in batch { continuation.resume() }
            } catch {
                // One bad report must not fail the others: retry them one by one.
                logger.warning("Accounting batch failed; retrying reports singly", metadata: ["size": "\(batch.count)", "error": "\(error)"])
                for (report, continuation) in batch {
                    do {
                        try await write([report])
                        continuation.resume()
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
            }
        }
    }

    private func write(_ reports: [AccountingReport]) async throws {
        let apply = self.apply
        let start = ContinuousClock.now
        try await store.transaction { tx in try await apply(reports, tx) }
        metrics.accountingBatchCommitted(size: reports.count, duration: ContinuousClock.now - start)
    }
}
