import Foundation
import Logging
import SimGateCore
import SimGateRADIUS
import SimGateStore

/// Records Accounting-Requests and answers only once the record is committed: a gateway
/// that hears nothing retries, so nothing is lost, and the counters make a retry count once.
/// Requests that arrive together are committed together (see ``AccountingBatcher``).
struct RADIUSAccountingHandler: RADIUSQueueingHandler {
    /// Where reports that could not be recorded are logged.
    let logger: Logger
    /// Commits reports together and returns for each once its batch is durable.
    let batcher: AccountingBatcher

    /// Builds the ledger and its batcher, whose batches wait up to `commitDelay` for more
    /// reports while they keep coming; the app runs the batcher as one of its services.
    init(sims: SimService, startup: StartupSignal, metrics: RADIUSMetrics, logger: Logger, commitDelay: Duration = .zero) {
        self.logger = logger
        let ledger = AccountingLedger(sims: sims, metrics: metrics, logger: logger)
        batcher = AccountingBatcher(store: sims.store, metrics: metrics, logger: logger, startup: startup, commitDelay: commitDelay) { reports, tx in
            try await ledger.apply(reports, in: tx)
        }
    }

    /// Accounting-Response once the report is committed. No answer (nil) for any other code, or
    /// if the report could not be stored, so that the gateway retries.
    func respond(to request: RADIUSPacket, from client: RADIUSClient, sourceIP: String) async -> RADIUSPacket? {
        await withCheckedContinuation { continuation in
            take(request, from: client, sourceIP: sourceIP) { continuation.resume(returning: $0) }
        }
    }

    /// Hands the report to the batcher, to be answered with an Accounting-Response once its
    /// batch commits; silence for any other code, or if it could not be stored.
    func take(_ request: RADIUSPacket, from client: RADIUSClient, sourceIP: String, answer: @escaping @Sendable (RADIUSPacket?) -> Void) {
        guard request.code == .accountingRequest else { return answer(nil) }
        let report = AccountingReport(request, client: client, sourceIP: sourceIP)
        let identifier = request.identifier
        let batcher = batcher, logger = logger
        let done: AccountingBatcher.Done = { result in
            switch result {
            case .success:
                answer(RADIUSPacket(code: .accountingResponse, identifier: identifier, authenticator: [], attributes: []))
            case .failure(let error):
                logger.error("Could not record accounting", metadata: ["client": "\(client.name)", "error": "\(error)"])
                answer(nil)
            }
        }
        // Before migrations are done, the batcher holds reports until they are (rare: only at
        // start-up), and answers them with silence if start-up never finishes.
        batcher.take(report, done: done)
    }
}
