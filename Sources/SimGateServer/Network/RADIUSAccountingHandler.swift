import Foundation
import Logging
import SimGateCore
import SimGateRADIUS
import SimGateStore
import SQLKit

/// Records Accounting-Requests and answers only once the record is committed: a gateway
/// that hears nothing retries, so nothing is lost, and the counters make a retry count once.
/// Requests that arrive together are committed together (see ``AccountingBatcher``).
struct RADIUSAccountingHandler: RADIUSRequestHandler {
    let sims: SimOperations
    let startup: StartupSignal
    let logger: Logger
    let batcher: AccountingBatcher
    private let usage = UsageStore()

    init(sims: SimOperations, startup: StartupSignal, logger: Logger) {
        self.sims = sims
        self.startup = startup
        self.logger = logger
        let usage = UsageStore()
        batcher = AccountingBatcher(database: sims.database, logger: logger) { report, db in
            try await Self.apply(report, sims: sims, usage: usage, logger: logger, on: db)
        }
    }

    func respond(to request: RADIUSPacket, from client: RADIUSClient) async -> RADIUSPacket? {
        guard request.code == .accountingRequest else { return nil }
        await startup.wait()
        do {
            try await batcher.submit(AccountingReport(request, client: client))
        } catch {
            logger.error("Could not record accounting", metadata: ["client": "\(client.name)", "error": "\(error)"])
            return nil
        }
        return RADIUSPacket(code: .accountingResponse, identifier: request.identifier, authenticator: [], attributes: [])
    }

    /// Applies one report inside the batch's transaction.
    static func apply(_ report: AccountingReport, sims: SimOperations, usage: UsageStore, logger: Logger, on db: any SQLDatabase) async throws {
        let now = sims.clock.now()
        switch report.status {
        case .accountingOn, .accountingOff:
            try await usage.stopAllSessions(nas: report.nas, at: now, on: db)
            return
        case .start, .interimUpdate, .stop, nil:
            break
        }
        guard let sessionID = report.sessionID, var sim = try await RADIUSSimLookup.first(matching: report.simFilters, on: db) else {
            logger.warning("Accounting for an unknown SIM or without Acct-Session-Id", metadata: ["nas": "\(report.nas)"])
            return
        }
        var session = try await usage.session(nas: report.nas, sessionID: sessionID, on: db)
            ?? StoredSession(nas: report.nas, sessionID: sessionID, simID: sim.id, counters: SessionCounters(), stoppedAt: nil)
        let delta = session.counters.record(inputBytes: report.inputBytes, outputBytes: report.outputBytes)
        if delta.wentBackwards {
            logger.warning("Accounting counters went backwards; not subtracted", metadata: ["nas": "\(report.nas)", "session": "\(sessionID)"])
        }
        if report.status == .stop, session.stoppedAt == nil { session.stoppedAt = now }
        try await usage.saveSession(session, clientAddress: report.clientAddress, mccMNC: report.mccMNC, imei: report.imei?.digits, at: now, on: db)
        guard !delta.isEmpty else { return }
        let record = UsageRecord(
            id: sims.ids.nextBody(), simID: sim.id, accountID: sim.accountID, source: "radius", senderID: nil, sessionID: sessionID,
            startedAt: now, endedAt: now, bytesUp: delta.inputBytes, bytesDown: delta.outputBytes, mccMNC: report.mccMNC, imei: report.imei?.digits
        )
        try await UsageRecorder(sims: sims).record(record, sim: &sim, cause: ChangeCause(actor: ChangeActor(.network, id: report.nas), reason: "accounting"), on: db)
    }
}
