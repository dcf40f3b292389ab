import Foundation
import Logging
import SimGateCore
import SimGateStore
import SQLKit

/// Turns a batch of Accounting-Requests into sessions and usage inside one transaction, with a
/// few multi-row statements for the whole batch rather than several per report: the SIMs are
/// read at once by IMSI, the sessions at once by key, and sessions, records and totals are
/// written at once.
struct AccountingLedger: Sendable {
    let sims: SimOperations
    let logger: Logger
    private let usage = UsageStore()

    init(sims: SimOperations, logger: Logger) {
        self.sims = sims
        self.logger = logger
    }

    func apply(_ reports: [AccountingReport], on db: any SQLDatabase) async throws {
        let now = sims.clock.now()
        // A gateway that restarts (Accounting-On) or shuts down (Accounting-Off) has dropped
        // every session it had.
        for report in reports where report.status == .accountingOn || report.status == .accountingOff {
            try await usage.stopAllSessions(nas: report.nas, at: now, on: db)
        }
        let sessionReports = reports.filter { $0.status != .accountingOn && $0.status != .accountingOff }
        guard !sessionReports.isEmpty else { return }

        let simsByReport = try await findSims(for: sessionReports, on: db)
        var sessions = try await usage.sessions(Set(sessionReports.compactMap(\.sessionKey)), on: db)
        var touched: [SessionKey] = []
        var touchedKeys: Set<SessionKey> = []
        var records: [UsageRecord] = []
        var gatewayOfRecord: [String: String] = [:]
        for (index, report) in sessionReports.enumerated() {
            guard let key = report.sessionKey, let sim = simsByReport[index] else {
                logger.warning("Accounting for an unknown SIM or without Acct-Session-Id", metadata: ["nas": "\(report.nas)"])
                continue
            }
            var session = sessions[key] ?? StoredSession(
                nas: key.nas, sessionID: key.sessionID, simID: sim.id, clientAddress: report.clientAddress, startedAt: now, updatedAt: now
            )
            let since = sessions[key]?.updatedAt ?? now
            let delta = session.counters.record(inputBytes: report.inputBytes, outputBytes: report.outputBytes)
            if delta.wentBackwards {
                logger.warning("Accounting counters went backwards; not subtracted", metadata: ["nas": "\(report.nas)", "session": "\(key.sessionID)"])
            }
            session.updatedAt = now
            session.clientAddress = report.clientAddress
            if report.status == .stop, session.stoppedAt == nil { session.stoppedAt = now }
            if let network = report.network {
                session.mccMNC = network.mccMNC
                session.country = network.country
            }
            session.rat = report.rat ?? session.rat
            session.imei = report.imei?.digits ?? session.imei
            if touchedKeys.insert(key).inserted { touched.append(key) }
            sessions[key] = session
            guard !delta.isEmpty else { continue }
            let record = UsageRecord(
                id: sims.ids.nextBody(), simID: sim.id, accountID: sim.accountID, source: "radius", senderID: nil, sessionID: key.sessionID,
                startedAt: min(since, now), endedAt: now, bytesUp: delta.inputBytes, bytesDown: delta.outputBytes,
                mccMNC: session.mccMNC, country: session.country, rat: session.rat, imei: session.imei
            )
            records.append(record)
            gatewayOfRecord[record.id] = key.nas
        }
        try await usage.saveSessions(touched.compactMap { sessions[$0] }, on: db)
        let simsByID = Dictionary(simsByReport.values.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        try await UsageLedger(sims: sims).record(records, sims: simsByID, cause: { record in
            ChangeCause(actor: ChangeActor(.network, id: gatewayOfRecord[record.id]), reason: "accounting")
        }, on: db)
    }

    /// Each report's SIM, by report index: one query for every IMSI in the batch, then the
    /// slower lookups (MSISDN, ICCID) only for reports that named their SIM otherwise.
    private func findSims(for reports: [AccountingReport], on db: any SQLDatabase) async throws -> [Int: SimUsageRow] {
        let byIMSI = try await SimStore().usageRows(imsis: Array(Set(reports.compactMap(\.imsi))), on: db)
        var found: [Int: SimUsageRow] = [:]
        for (index, report) in reports.enumerated() {
            if let imsi = report.imsi, let sim = byIMSI[imsi] {
                found[index] = sim
            } else if let sim = try await RADIUSSimLookup.first(matching: report.simFilters.filter { $0.imsi == nil }, on: db) {
                found[index] = SimUsageRow(sim)
            }
        }
        return found
    }
}
