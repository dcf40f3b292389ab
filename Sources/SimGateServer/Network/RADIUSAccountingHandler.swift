import Foundation
import Logging
import SimGateCore
import SimGateRADIUS
import SimGateStore

/// Records Accounting-Requests and answers only once the record is committed: a gateway
/// that hears nothing retries, so nothing is lost, and the counters make a retry count once.
/// Requests that arrive together are committed together (see ``AccountingBatcher``).
struct RADIUSAccountingHandler: RADIUSRequestHandler {
    /// Opens once migrations are done; requests that come earlier wait for it.
    let startup: StartupSignal
    /// Where reports that could not be recorded are logged.
    let logger: Logger
    /// Commits reports together and returns for each once its batch is durable.
    let batcher: AccountingBatcher

    /// Builds the ledger and its batcher; the app runs the batcher as one of its services.
    init(sims: SimService, startup: StartupSignal, metrics: RADIUSMetrics, logger: Logger) {
        self.startup = startup
        self.logger = logger
        let ledger = AccountingLedger(sims: sims, metrics: metrics, logger: logger)
        batcher = AccountingBatcher(store: sims.store, metrics: metrics, logger: logger) { reports, tx in
            try await ledger.apply(reports, in: tx)
        }
    }

    /// Accounting-Response once the report is committed. No answer (nil) for any other code, or
    /// if the report could not be stored, so that the gateway retries.
    func respond(to request: RADIUSPacket, from client: RADIUSClient, sourceIP: String) async -> RADIUSPacket? {
        guard request.code == .accountingRequest else { return nil }
        await startup.wait()
        guard startup.isOpen else { return nil }  // Shutting down before start-up finished.
        do {
            try await batcher.submit(AccountingReport(request, client: client, sourceIP: sourceIP))
        } catch {
            logger.error("Could not record accounting", metadata: ["client": "\(client.name)", "error": "\(error)"])
            return nil
        }
        return RADIUSPacket(code: .accountingResponse, identifier: request.identifier, authenticator: [], attributes: [])
    }
}
