import Foundation
import Logging
import SimGateCore
import SimGateStore

/// Turns a batch of Accounting-Requests into sessions and usage inside one transaction, with a
/// few multi-row statements for the whole batch rather than several per report: the SIMs are
/// read at once by IMSI, the sessions at once by key, and sessions, records and totals are
/// written at once.
struct AccountingLedger: Sendable {
    /// Finds SIMs, makes ids and events, and records what usage changes about SIMs.
    let sims: SimService
    /// Counts reports answered but not stored.
    let metrics: RADIUSMetrics
    /// Where refused or odd reports are logged.
    let logger: Logger
    /// Refused and odd reports, each kind at most once every ten seconds as a warning.
    let warnings: AccountingWarnings

    init(sims: SimService, metrics: RADIUSMetrics, logger: Logger) {
        self.sims = sims
        self.metrics = metrics
        self.logger = logger
        warnings = AccountingWarnings(logger: logger)
    }

    /// Records a batch of reports; Accounting-On and -Off stop every session of their gateway.
    /// The batch is applied in the order it arrived: the session reports before a gateway's
    /// Accounting-On are recorded first, so the restart stops the sessions they opened, and the
    /// reports after it open sessions that stay open.
    /// Each part's events are written before the next part's, so that a session's stop comes
    /// before a later session's start in the event stream.
    func apply(_ reports: [AccountingReport], in tx: StoreTransaction) async throws {
        let now = sims.clock.now()
        var run: [AccountingReport] = []
        // Sessions to disconnect unless the batch ends them: new ones on SIMs that are not LIVE,
        // and a former holder's still open after the SIM changed hands.
        var unserved: [SessionKey: SimID] = [:]
        func recordRun() async throws {
            let part = try await record(run, now: now, in: tx)
            try await recordStops(part.stopped, at: now, in: tx)
            for (key, simID) in part.unserved { unserved[key] = simID }
            // A session another SIM's took the key of does not end that SIM's new session.
            for stop in part.stopped where unserved[stop.key] == stop.simID { unserved[stop.key] = nil }
            run.removeAll(keepingCapacity: true)
        }
        for report in reports {
            guard !report.hasNULInText else {
                warnings.warn("nul_in_text", "Accounting-Request with a NUL octet in Acct-Session-Id, NAS-Identifier or User-Name; not stored", metadata: [
                    "source": "\(report.clientAddress)", "acct_status_type": "\(report.statusValue.map(String.init) ?? "-")",
                ])
                metrics.accountingReportRefused("nul_in_text")
                continue
            }
            guard report.status == .accountingOn || report.status == .accountingOff else {
                if storable(report) { run.append(report) }
                continue
            }
            if !run.isEmpty { try await recordRun() }
            // A gateway that restarts (Accounting-On) or shuts down (Accounting-Off) has
            // dropped every session it had.
            let what = report.status == .accountingOn ? "Accounting-On: the gateway restarted" : "Accounting-Off: the gateway shut down"
            // Only sessions begun before the report was made: one sent again, late, must not
            // stop the sessions begun since (see ``SessionRepository/stopAllSessions``).
            let closed = try await tx.sessions.stopAllSessions(
                nas: report.nas, heardBy: report.madeAt(arrival: now), gatewayTime: report.gatewayTime(arrival: now),
                clockSlack: Self.sessionTimeSlack, at: now
            )
            try await recordStops(closed.map { Stop(key: $0.key, simID: $0.simID, accountID: $0.accountID, reason: what) }, at: now, in: tx)
            for session in closed { unserved[session.key] = nil }
        }
        if !run.isEmpty { try await recordRun() }
        try await disconnect(Set(unserved.values), at: now, in: tx)
    }

    /// Whether a session report's counters can be stored; one that cannot is answered all the
    /// same (a gateway that hears nothing would resend it forever), logged and counted.
    /// A report of a kind SimGate does not record (Failed, a tunnel's, or a value RFC 2866 does
    /// not define) tells of no session: read as an Interim-Update, it opened one that never
    /// closed, and a Disconnect-Request was sent for it.
    private func storable(_ report: AccountingReport) -> Bool {
        guard report.status != nil else {
            warnings.warn("unsupported_status_type", "Accounting-Request of a kind SimGate does not record (Acct-Status-Type not Start, Stop or Interim-Update); not stored", metadata: [
                "nas": "\(report.nas)", "session": "\(report.sessionID ?? "-")", "acct_status_type": "\(report.statusValue.map(String.init) ?? "-")",
            ])
            metrics.accountingReportRefused("unsupported_status_type")
            return false
        }
        guard report.countersFit else {
            warnings.warn("counter_out_of_range", "Accounting counters beyond 2^63 bytes; report not stored", metadata: [
                "nas": "\(report.nas)", "session": "\(report.sessionID ?? "-")",
                "input_bytes": "\(report.inputBytes)", "output_bytes": "\(report.outputBytes)",
            ])
            metrics.accountingReportRefused("counter_out_of_range")
            return false
        }
        return true
    }

    /// A session that ended: its key, SIM, the account that held the SIM when it began, and why.
    private struct Stop {
        let key: SessionKey
        let simID: SimID
        let accountID: AccountID?
        let reason: String
    }

    /// What one run of session reports did to the sessions.
    private struct RecordedRun {
        /// Sessions the reports stopped, and why.
        var stopped: [Stop]
        /// Sessions to disconnect: first heard of, still open, on SIMs that are not LIVE; and
        /// a former holder's sessions still open after the SIM changed hands.
        var unserved: [(key: SessionKey, simID: SimID)]
    }

    /// Updates the sessions and stores the usage the reports add; returns the sessions they
    /// stopped and the new ones that must be disconnected.
    private func record(_ reports: [AccountingReport], now: Date, in tx: StoreTransaction) async throws -> RecordedRun {
        let simsByReport = try await findSims(for: reports, in: tx)
        var sessions = try await tx.sessions.sessions(Set(reports.compactMap(\.sessionKey)))
        var touched: [SessionKey] = []
        var touchedKeys: Set<SessionKey> = []
        var records: [UsageRecord] = []
        // Usage of sessions a former holder of the SIM began (reported after it changed hands):
        // that holder's, in its totals only. It tells nothing of the SIM as its present holder
        // has it: counted as theirs, it bound the former's device, started the new holder's
        // AOFU countdown and used up their bundle.
        var formerHolders: [UsageRecord] = []
        var formerHolderGateways: [String] = []
        // Known sessions to disconnect: a former holder's still open, and a non-LIVE SIM's
        // whose gateway let its last Disconnect-Request go unanswered, or answered it but keeps
        // the session running, a while ago.
        var toDisconnect: Set<SessionKey> = []
        // Each record's gateway, by index; made into a dictionary only if a cause is asked for
        // (first use, a new place or device, a bundle: rare beside the records themselves).
        var recordGateways: [String] = []
        var stopped: [Stop] = []
        var opened: [SessionKey] = []
        // Sessions opened in this batch whose key another SIM's session then took.
        var supersededOpenings: [DataSession] = []
        // Sessions begun again under the key of one that had stopped.
        var begunAgain: Set<SessionKey> = []
        // Sessions still carrying data well after their gateway answered a Disconnect-Request:
        // written whole, open and unanswered as of now, so that the job asks again.
        var stillRunning: Set<SessionKey> = []
        // For a key begun again within this batch, how many records (of the present holders,
        // and of former ones) came before: those are the superseded session's.
        var begunAgainAfter: [SessionKey: (records: Int, former: Int)] = [:]
        // Sized once: grown row by row, these were rehashed several times in every batch.
        touched.reserveCapacity(reports.count)
        touchedKeys.reserveCapacity(reports.count)
        records.reserveCapacity(reports.count)
        recordGateways.reserveCapacity(reports.count)
        for (index, report) in reports.enumerated() {
            guard let key = report.sessionKey, let sim = simsByReport[index] else {
                warnings.warn(
                    report.sessionKey == nil ? "no_session_id" : "unknown_sim",
                    report.sessionKey == nil ? "Accounting without Acct-Session-Id; not stored" : "Accounting for a SIM SimGate does not know; not stored",
                    metadata: [
                        "nas": "\(report.nas)", "session": "\(report.sessionID ?? "-")",
                        "imsi": "\(report.imsi?.description ?? "-")", "user_name": "\(report.userName?.prefix(64) ?? "-")",
                    ]
                )
                metrics.accountingReportRefused(report.sessionKey == nil ? "no_session_id" : "unknown_sim")
                continue
            }
            // Stored, or as an earlier report of this batch left it. The report may be of that
            // session, of an older one under the same key (sent again, or late), or of a newer
            // one: the gateway restarted (Accounting-On, or its Start lost) or reuses its ids,
            // or another SIM's session took the key. Read as the wrong session, its counters
            // were diffed against another's and bytes were lost or counted twice.
            let stored = sessions[key]
            var beginsAgain = false
            if let stored {
                switch Self.reading(of: report, against: stored, sim: sim.id, now: now) {
                case .refused(let reason, let message):
                    warnings.warn(reason, message, metadata: ["nas": "\(report.nas)", "session": "\(key.sessionID)"])
                    metrics.accountingReportRefused(reason)
                    continue
                case .sameSession:
                    break
                case .newSession(let endsStored):
                    // The stored session ends here (its row gives way to the new one's).
                    beginsAgain = true
                    if stored.stoppedAt == nil { stopped.append(Stop(key: key, simID: stored.simID, accountID: stored.accountID, reason: endsStored)) }
                    // Opened earlier in this batch, its row never written: its start is told
                    // here, since the key's one opening event will be the new session's.
                    if opened.contains(key) { supersededOpenings.append(stored) }
                }
            }
            if beginsAgain {
                begunAgain.insert(key)
                begunAgainAfter[key] = (records.count, formerHolders.count)
            }
            let known = beginsAgain ? nil : stored
            // Begun again within the batch, the key is already among those opened (its one event
            // shows the session as the batch leaves it).
            if known == nil, !(beginsAgain && opened.contains(key)) { opened.append(key) }
            var session = known ?? DataSession(
                nas: key.nas, sessionID: key.sessionID, simID: sim.id, accountID: sim.accountID, clientAddress: report.clientAddress,
                startedAt: report.sessionStart(arrival: now), startedByGatewayClock: report.gatewayTime(arrival: now) != nil,
                firstHeardAt: report.madeAt(arrival: now), updatedAt: now
            )
            let since = known?.updatedAt ?? now
            let delta = session.counters.record(inputBytes: report.inputBytes, outputBytes: report.outputBytes)
            if delta.wentBackwards {
                warnings.warn("counters_backwards", "Accounting counters went backwards; not subtracted", metadata: ["nas": "\(report.nas)", "session": "\(key.sessionID)"])
            }
            session.updatedAt = now
            session.clientAddress = report.clientAddress
            if report.status == .stop, session.stoppedAt == nil {
                session.stoppedAt = max(session.startedAt, report.eventTime(arrival: now))
                stopped.append(Stop(key: key, simID: sim.id, accountID: session.accountID, reason: "Accounting Stop"))
            }
            if let network = report.network {
                session.mccMNC = network.mccMNC
                session.country = network.country
            }
            session.rat = report.rat ?? session.rat
            session.imei = report.imei?.digits ?? session.imei
            session.userName = report.userName ?? session.userName
            session.framedIPAddress = report.framedIPAddress ?? session.framedIPAddress
            if touchedKeys.insert(key).inserted { touched.append(key) }
            sessions[key] = session
            // Still open after the SIM changed hands (its disconnect went unanswered): it is
            // ended now, whatever the SIM's status, so that it does not run on for weeks in
            // its former holder's name. Asked once per change of the SIM: a session whose
            // gateway answered since (or is being asked, its silence retried by the job) is not
            // queued again for each of its Interim-Updates.
            if session.accountID != sim.accountID, session.stoppedAt == nil,
               session.disconnect.map({ $0.at < sim.statusChangedAt }) ?? true {
                toDisconnect.insert(key)
            }
            // Still reported, when it must end (its SIM not LIVE, or now another account's),
            // after its gateway let every Disconnect-Request go unanswered: asked again (see
            // ``asksAgain(answeredAt:madeAt:troubleSince:)``). The job gives up after three tries
            // within a minute, so a gateway whose CoA port was down for that minute kept a
            // suspended or retired SIM's data flowing for good, and a former holder's session on
            // a SIM now LIVE for its new holder. With no answer at all (its job died before one
            // was stored: an answer PostgreSQL could not store before migration 25), it counts
            // as unanswered when the SIM left LIVE.
            let mustEnd = !sim.isLive || session.accountID != sim.accountID
            if session.stoppedAt == nil, mustEnd, (session.disconnect?.outcome ?? .noAnswer) == .noAnswer,
               Self.asksAgain(answeredAt: session.disconnect?.at ?? sim.statusChangedAt, madeAt: now, troubleSince: sim.statusChangedAt) {
                toDisconnect.insert(key)
            }
            guard !delta.isEmpty else { continue }
            // Counting up well after its gateway answered a Disconnect-Request (ACK or NAK),
            // when it must end: the gateway kept it running. Taken at its word, the ACK left the
            // session stopped and the NAK settled it, and nothing was asked again while a
            // suspended or retired SIM's data flowed on. It is open again and asked again, its
            // answer `no_answer` until the gateway gives another. Only a session the ACK itself stopped (not a Stop or an
            // Accounting-On since), and only by a report made, by SimGate's clock, well after
            // the answer: one held by its gateway since before is no sign.
            if !beginsAgain, mustEnd, report.status != .stop, let answer = session.disconnect,
               answer.outcome == .acked ? session.stoppedAt == answer.at : answer.outcome == .nacked && session.stoppedAt == nil,
               Self.asksAgain(answeredAt: answer.at, madeAt: report.madeAt(arrival: now), troubleSince: sim.statusChangedAt) {
                warnings.warn("reported_after_disconnect", "Session still counting data after its gateway answered a Disconnect-Request; asked again", metadata: [
                    "nas": "\(key.nas)", "session": "\(key.sessionID)", "answer": "\(answer.outcome.rawValue)",
                ])
                session.stoppedAt = nil
                // As stored (``SessionRepository/saveSessions(_:begunAgain:reopened:)``): asked
                // again, no answer yet. Set aside to nothing, each report while the request was
                // on its way counted as long unanswered and queued another.
                session.disconnect = SessionDisconnect(outcome: .noAnswer, errorCause: nil, at: now)
                sessions[key] = session
                stillRunning.insert(key)
                toDisconnect.insert(key)
            }
            // Used while the session ran: never dated before it began, by whichever clock dates
            // it earlier, its start's or SimGate's first hearing of it (a report that adds bytes
            // was made after the one that first told of the session). A report dated back (a
            // gateway clock set back, trusted up to 31 days; an Acct-Delay-Time of hours a second
            // into a session the gateway's clock dated) in a session begun today was billed to an
            // earlier month, and on an Activate-On-First-Use SIM taken for a former life's usage:
            // no first use, no bundle, no statement. The earlier of the two: a start dated ahead
            // by the gateway's clock would move bytes dated by Acct-Delay-Time into the next day
            // or month, and a Start held through an outage, dated by its Event-Timestamp alone,
            // was first heard of days after its bytes were used. Sessions stored before the first
            // hearing was kept are bounded by a start SimGate dated itself.
            let reported = report.usageTime(arrival: now)
            let began = session.firstHeardAt.map { min($0, session.startedAt) } ?? (session.startedByGatewayClock == false ? session.startedAt : nil)
            let usedUntil = began.map { min(now, max(reported, $0)) } ?? reported
            let record = UsageRecord(
                id: sims.ids.nextBody(), simID: sim.id, accountID: session.accountID, source: "radius", senderID: nil, sessionID: key.sessionID,
                startedAt: min(since, usedUntil), endedAt: usedUntil, bytesUp: delta.inputBytes, bytesDown: delta.outputBytes,
                mccMNC: session.mccMNC, country: session.country, rat: session.rat, imei: session.imei
            )
            if session.accountID != sim.accountID {
                formerHolders.append(record)
                formerHolderGateways.append(key.nas)
                continue
            }
            records.append(record)
            recordGateways.append(key.nas)
        }
        try await tx.sessions.saveSessions(touched.compactMap { sessions[$0] }, begunAgain: begunAgain, reopened: stillRunning)
        try await recordOpenings(supersededOpenings + opened.compactMap { sessions[$0] }, at: now, in: tx)
        let found = simsByReport.compactMap { $0 }
        var unserved = Self.unserved(opened.compactMap { sessions[$0] }, sims: found)
        for key in toDisconnect {
            if let session = sessions[key], session.stoppedAt == nil { unserved.append((key, session.simID)) }
        }
        let simsByID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var gatewayOfRecord: [String: String]?
        let outcome = try await UsageLedger(sims: sims).record(records, sims: simsByID, cause: { record in
            if gatewayOfRecord == nil { gatewayOfRecord = Dictionary(zip(records.lazy.map(\.id), recordGateways), uniquingKeysWith: { first, _ in first }) }
            return ChangeCause(actor: ChangeActor(.network, id: gatewayOfRecord?[record.id]), reason: "accounting")
        }, in: tx)
        let former = try await tx.usage.insert(formerHolders, now: now)
        let refused = outcome.overflowing.union(former.overflowing)
        if !refused.isEmpty {
            for id in refused {
                warnings.warn("total_out_of_range", "Accounting usage would take a SIM's total past 2^63 bytes; not counted", metadata: ["record": "\(id)"])
                metrics.accountingReportRefused("total_out_of_range")
            }
            // A record made before its key began again in this batch was the superseded
            // session's, whose row is gone: nothing to take back from.
            let current = records.indices.filter { index in begunAgainAfter[SessionKey(nas: recordGateways[index], sessionID: records[index].sessionID ?? "")].map { index >= $0.records } ?? true }
            let currentFormer = formerHolders.indices.filter { index in
                begunAgainAfter[SessionKey(nas: formerHolderGateways[index], sessionID: formerHolders[index].sessionID ?? "")].map { index >= $0.former } ?? true
            }
            try await takeBack(
                refused, of: current.map { (records[$0], recordGateways[$0]) } + currentFormer.map { (formerHolders[$0], formerHolderGateways[$0]) },
                from: &sessions, begunAgain: begunAgain, in: tx
            )
        }
        return RecordedRun(stopped: stopped, unserved: unserved)
    }

    /// Takes the refused records' bytes back out of their sessions' counters and saves those
    /// sessions again, so that the session's row does not keep the refused totals and its
    /// later reports count from where it was before. (What else the report said, its place,
    /// device or stop, stands, and a session it opened was told with the counters it gave.)
    /// `records` are those of the sessions as they now are, each with its gateway.
    private func takeBack(
        _ refused: Set<String>, of records: [(UsageRecord, String)], from sessions: inout [SessionKey: DataSession],
        begunAgain: Set<SessionKey>, in tx: StoreTransaction
    ) async throws {
        var changed: [SessionKey] = []
        for (record, nas) in records where refused.contains(record.id) {
            guard let sessionID = record.sessionID else { continue }
            let key = SessionKey(nas: nas, sessionID: sessionID)
            guard var session = sessions[key] else { continue }
            session.counters.takeBack(inputBytes: record.bytesUp, outputBytes: record.bytesDown)
            sessions[key] = session
            if !changed.contains(key) { changed.append(key) }
        }
        try await tx.sessions.saveSessions(changed.compactMap { sessions[$0] }, begunAgain: begunAgain.intersection(changed))
    }

    /// Which session a report under the key of `stored` is about.
    enum Reading: Equatable {
        /// The stored session's: its counters carry on from the stored ones.
        case sameSession
        /// A newer session under the same key, begun from nothing; the stored one ends, for
        /// the reason given.
        case newSession(endsStored: String)
        /// An older session's, or one that cannot be told apart: answered, not stored.
        case refused(reason: String, message: Logger.Message)
    }

    /// Which session `report` is about, beside `stored`, the one under its key now.
    ///
    /// Another SIM's report is that SIM's own session, unless it began before the stored one
    /// or within ``sessionTimeSlack`` after it (late, its key since taken; or two SIMs claiming
    /// one session at once, which a gateway mixing up its sessions sent in turns: each turn
    /// took the key and counted that SIM's bytes again from nothing, over and over) or cannot
    /// say when it began (not a Start, no Acct-Session-Time): read as new, it ended the stored
    /// session and counted its SIM's bytes again from nothing. The stored start counts no later than the stored session's last
    /// report arrived: a start dated ahead by a gateway's clock made every later session look
    /// older.
    ///
    /// The same SIM's report is judged on signs that hold whatever the gateway's clock and
    /// Acct-Session-Time say (every misjudgment loses bytes or counts them twice), but one: a
    /// session dated by its gateway's clock is taken to stay on that clock.
    /// - a Start with Event-Timestamp: within ``sessionTimeSlack`` of the stored start, the
    ///   same Start sent again (over a stopped session: refused, as read as new it opened a
    ///   session that never closed); earlier, an older session's; later, a new session under a
    ///   reused id (the gateway restarted), open or stopped.
    /// - a Start without one, over an open session: the same sent again (its clock cannot be
    ///   compared with the stored one). Over a stopped session: dated by a raised
    ///   Acct-Delay-Time, judged like one with Event-Timestamp by its arrival less that;
    ///   undated, a new session (a byte-identical resend is known only to the reply cache).
    /// - a later report made, by every clock it gives (Event-Timestamp, and arrival less a
    ///   raised Acct-Delay-Time), more than the slack before the stored session began belongs
    ///   to an older session (a Stop sent again after the id was reused). How long it says its
    ///   session ran is not asked: a gateway counting Acct-Session-Time in milliseconds had
    ///   every report refused.
    /// - over a session the gateway's clock dated, a later report whose Event-Timestamp is more
    ///   than the slack before the stored start is an older session's too, unless its
    ///   Acct-Session-Time counted back from its arrival says its session began within the
    ///   slack of the stored one (the gateway's clock stepped back mid-session: its Stop,
    ///   refused, left the session open for good); and a Start whose Event-Timestamp is within
    ///   the slack of the stored start is that Start sent again, whatever the arrival says.
    /// - over a stopped session, a later report made after the stop, its session begun well
    ///   after the stored one by both clocks, with counters below the stored ones, is a newer
    ///   session whose Start was lost. A reordered report of the stored session has none of
    ///   those together.
    /// Anything less sure is the same session.
    static func reading(of report: AccountingReport, against stored: DataSession, sim: SimID, now: Date) -> Reading {
        if stored.simID != sim {
            guard let began = report.knownSessionStart(arrival: now) else {
                return .refused(reason: "session_sim_mismatch", message: "Accounting report for another SIM than its session, with no time to tell them apart; not stored")
            }
            let storedBegan = min(stored.startedAt, stored.updatedAt)
            if began < storedBegan {
                return .refused(reason: "stale_session", message: "Accounting report older than the session under its id; not stored")
            }
            // Only over a session still open (one stopped gave its id back: a gateway reusing
            // it within seconds, after a restart, begins a session of its own), and against a
            // start at most an hour ahead of the session's reports: one a gateway's clock put
            // hours ahead tells nothing of when the session began, while a clock a second fast
            // dates every start a little ahead of its arrival.
            if stored.stoppedAt == nil, stored.startedAt <= stored.updatedAt.addingTimeInterval(Self.clockAheadLimit),
               began <= stored.startedAt.addingTimeInterval(sessionTimeSlack) {
                return .refused(reason: "session_sim_mismatch", message: "Accounting report for another SIM than its session, begun at the same time; not stored")
            }
            return .newSession(endsStored: "Its session id was used by another SIM's session")
        }
        let older = Reading.refused(reason: "stale_session", message: "Accounting report of an older session than the one under its id; not stored")
        let newer = Reading.newSession(endsStored: "A newer session began under its id")
        // A start dated ahead (a gateway clock wrong at boot, up to a day) counts as no later
        // than the session's last report came: else every later report, once the clock was
        // right, looked older than the session and was refused.
        let began = min(stored.startedAt, stored.updatedAt)
        let earliest = began.addingTimeInterval(-sessionTimeSlack), latest = began.addingTimeInterval(sessionTimeSlack)
        if report.status == .start {
            if report.eventTimestamp == nil, stored.stoppedAt == nil { return .sameSession }
            guard report.isDated else { return newer }
            let began = report.eventTime(arrival: now)
            // The same Start sent again, both dated by the gateway's clock: a clock more than
            // the slack ahead had its resent Start taken for a new session (compared with the
            // start cut back to its arrival below), and its bytes counted twice.
            if stored.startedByGatewayClock == true, let sent = report.gatewayTime(arrival: now),
               abs(sent.timeIntervalSince(stored.startedAt)) <= sessionTimeSlack {
                return stored.stoppedAt == nil ? .sameSession : older
            }
            if began < earliest { return older }
            if began <= latest { return stored.stoppedAt == nil ? .sameSession : older }
            return newer
        }
        if report.wasMade(before: earliest, arrival: now) { return older }
        // A session dated by its gateway's clock is compared on that clock: a Stop sent again
        // after the id was reused, dated long before the new session but carrying no
        // Acct-Delay-Time, was taken for the new session's and its bytes counted twice. Both
        // clocks must agree when the start was dated by SimGate's (a Start without
        // Event-Timestamp): a gateway clock behind SimGate's then made every report look older.
        // A report whose session, by its arrival less Acct-Session-Time, began within the slack
        // of the stored one is that session's, whatever its Event-Timestamp: the gateway's
        // clock stepped back. Any other start it gives is no sign: an old session's Stop, sent
        // again long after, dates its session by arrival well after the stored one's.
        if stored.startedByGatewayClock == true, let made = report.gatewayTime(arrival: now), made < earliest,
           report.sessionStartByBothClocks(arrival: now).map({ !(earliest...latest).contains($0.arrival) }) ?? true {
            return older
        }
        guard let stoppedAt = stored.stoppedAt, report.eventTime(arrival: now) >= stoppedAt,
              let starts = report.sessionStartByBothClocks(arrival: now)
        else { return .sameSession }
        let countersBelow = report.inputBytes < stored.counters.inputBytes || report.outputBytes < stored.counters.outputBytes
        if starts.gateway > latest, starts.arrival > latest, countersBelow { return newer }
        return .sameSession
    }

    /// How long after a session's Disconnect-Request went unanswered (or was answered but the
    /// session ran on) its next report asks again at first, in seconds: one interim interval at
    /// SimGate's default.
    static let silentDisconnectRetry: TimeInterval = 300

    /// The longest wait between two such asks, in seconds: a day.
    static let longestDisconnectRetry: TimeInterval = 86_400

    /// Whether a session that must end, whose last Disconnect-Request was answered (or went
    /// unanswered) at `answeredAt`, is asked again by a report made at `madeAt`:
    /// ``silentDisconnectRetry`` after the answer at first,
    /// then after half the time since the trouble began (its SIM left LIVE or changed hands at
    /// `troubleSince`), at most ``longestDisconnectRetry``. So the asks come at about 5, 10, 20,
    /// 40 minutes..., then daily. Asked every five minutes, a gateway that always NAKs (or
    /// ACKs and runs on) got a request, and the SIM's account an event, every five minutes for
    /// as long as the data flowed.
    static func asksAgain(answeredAt: Date, madeAt: Date, troubleSince: Date) -> Bool {
        let wait = min(max(silentDisconnectRetry, madeAt.timeIntervalSince(troubleSince) / 2), longestDisconnectRetry)
        return madeAt.timeIntervalSince(answeredAt) >= wait
    }

    /// How far from a session's start a report may date it and still be that session's, in
    /// seconds: times come in whole seconds, from the gateway's clock or as arrival less
    /// Acct-Delay-Time, and some gateways stamp a Start a few seconds after they count the
    /// session from.
    static let sessionTimeSlack: TimeInterval = 30

    /// How far ahead of their arrival a gateway's clock may date the starts of its sessions and
    /// still be taken for a clock that runs fast, in seconds, rather than one set wrong.
    static let clockAheadLimit: TimeInterval = 3_600

    /// The sessions first heard of now, still open, whose SIMs are not LIVE: each SIM gets a
    /// disconnect, unless the same batch ends the session (a Stop, or its gateway's
    /// Accounting-On or -Off later in the batch).
    /// When the SIM left LIVE, a disconnect was queued only if it had open sessions then; a
    /// session the gateway admitted just before (its Accounting-Start late, lost or resent) was
    /// not stored yet, so nothing would end it but this. Sessions known before are that job's,
    /// and its retries':
    /// queuing again for each of their Interim-Updates would send a second Disconnect-Request
    /// while the first still waits for its answer. A job queued here while the SIM's earlier
    /// one still runs waits for it (the queue runs one job per key at a time), and then asks
    /// only about sessions that got no answer.
    private static func unserved(_ opened: [DataSession], sims: some Sequence<SimUsageRow>) -> [(key: SessionKey, simID: SimID)] {
        guard !opened.isEmpty else { return [] }
        let notLive = Set(sims.filter { !$0.isLive }.map(\.id))
        return opened.filter { $0.stoppedAt == nil && notLive.contains($0.simID) }.map { ($0.key, $0.simID) }
    }

    /// Queues one disconnect for each of `simIDs`.
    private func disconnect(_ simIDs: Set<SimID>, at now: Date, in tx: StoreTransaction) async throws {
        guard !simIDs.isEmpty else { return }
        try await tx.jobs.enqueue(try simIDs.sorted { $0.rawValue < $1.rawValue }.map { try DisconnectJob.job(for: $0, at: now) }, now: now)
    }

    /// A `sim.session_started` event for each session first heard of, carrying the session
    /// (network, country, RAT, device) as its object.
    private func recordOpenings(_ opened: [DataSession], at now: Date, in tx: StoreTransaction) async throws {
        guard !opened.isEmpty else { return }
        let events = try opened.map { session in
            Event(
                id: sims.ids.make(), type: .simSessionStarted, accountID: session.accountID, simID: session.simID,
                object: try APIJSON.encodeToString(SessionResource(session)), previousAttributes: nil,
                cause: ChangeCause(actor: ChangeActor(.network, id: session.nas), reason: "session \(session.sessionID)"), createdAt: now
            )
        }
        try await tx.events.append(events)
    }

    /// A `sim.session_stopped` event for each session that ended, with why. A session a former
    /// holder of the SIM began is told to the operator alone, like its disconnect: its holder
    /// no longer sees the SIM, and the present one must not see its session.
    private func recordStops(_ stopped: [Stop], at now: Date, in tx: StoreTransaction) async throws {
        guard !stopped.isEmpty else { return }
        let whole = try await tx.sims.find(ids: Array(Set(stopped.map(\.simID))), accountID: nil, forUpdate: false)
        var events: [Event] = []
        for stop in stopped {
            guard let sim = whole[stop.simID] else { continue }
            let cause = ChangeCause(actor: ChangeActor(.network, id: stop.key.nas), reason: "\(stop.reason): session \(stop.key.sessionID)")
            let event = try sims.events.simEvent(.simSessionStopped, sim: sim, previousAttributes: nil, cause: cause, at: now)
            events.append(stop.accountID == sim.accountID ? event : event.operatorOnly)
        }
        try await tx.events.append(events)
    }

    /// Each report's SIM (nil for none), in the reports' order: one query for every IMSI in
    /// the batch, then the slower lookups (MSISDN, ICCID) only for reports that named their
    /// SIM otherwise.
    private func findSims(for reports: [AccountingReport], in tx: StoreTransaction) async throws -> [SimUsageRow?] {
        let byIMSI = try await tx.sims.usageRows(imsis: Array(Set(reports.compactMap(\.imsi))))
        var found = [SimUsageRow?](repeating: nil, count: reports.count)
        for (index, report) in reports.enumerated() {
            // A report with a 3GPP-IMSI names its SIM by that alone: it has no other filters.
            if let imsi = report.imsi, let sim = byIMSI[imsi] {
                found[index] = sim
            } else if let sim = try await RADIUSSimLookup.first(matching: report.otherSimFilters, in: tx) {
                // Read again by IMSI, which locks the row on PostgreSQL as the batch's own
                // lookup does: unlocked, a suspension committing meanwhile went unseen, and a
                // session opened under it was taken for a LIVE SIM's and never disconnected.
                found[index] = try await tx.sims.usageRows(imsis: [sim.imsi])[sim.imsi] ?? SimUsageRow(sim)
            }
        }
        return found
    }
}
