import Logging
import SimGateStore
import SQLKit

/// Group commit for accounting: reports that arrive while a transaction is being written wait
/// and go into the next one together, and each caller is answered only after the
/// transaction holding its report has committed. Under load one commit serves hundreds of
/// reports; with a single report it costs one transaction, as before.
actor AccountingBatcher {
    typealias Apply = @Sendable ([AccountingReport], any SQLDatabase) async throws -> Void

    /// Most reports in one transaction.
    static let maximumBatch = 500

    private let database: SimGateDatabase
    private let metrics: RADIUSMetrics
    private let logger: Logger
    private let apply: Apply
    private var pending: [(AccountingReport, CheckedContinuation<Void, any Error>)] = []
    private var isFlushing = false

    init(database: SimGateDatabase, metrics: RADIUSMetrics, logger: Logger, apply: @escaping Apply) {
        self.metrics = metrics
        self.database = database
        self.logger = logger
        self.apply = apply
    }

    /// Returns once `report` is durable; throws if it could not be stored.
    func submit(_ report: AccountingReport) async throws {
        try await withCheckedThrowingContinuation { continuation in
            pending.append((report, continuation))
            if !isFlushing {
                isFlushing = true
                Task { await self.flush() }  // Scoped to this actor's own queue; ends when it is empty.
            }
        }
    }

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
        isFlushing = false
    }

    private func write(_ reports: [AccountingReport]) async throws {
        let apply = self.apply
        let start = ContinuousClock.now
        try await database.transaction { db in try await apply(reports, db) }
        metrics.accountingBatchCommitted(size: reports.count, duration: ContinuousClock.now - start)
    }
}
