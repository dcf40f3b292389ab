import Foundation
import Logging
import SimGateCore
import SimGateRADIUS
import SimGateStore

/// Ends the data sessions of a SIM that left LIVE, and a former holder's sessions still open
/// after the SIM changed hands: a Disconnect-Request (RFC 5176) to the gateway's CoA port for
/// each, each answer (ACK, NAK or silence after every retry) stored on the session and told by a
/// `sim.session_disconnected` event.
struct RADIUSDisconnector: Sendable {
    /// Where SIMs, sessions and disconnect outcomes are read and written.
    let store: Store
    /// The time of outcomes and events, also sent as Event-Timestamp.
    let clock: any WallClock
    /// Makes the `sim.session_disconnected` events.
    let events: SimEvents
    /// The configured gateways, each with its secret and CoA port.
    let clients: RADIUSClientTable
    /// How long to wait for each answer, and how many times to send.
    let timeout: Duration
    /// How many times a Disconnect-Request is sent before the gateway counts as silent.
    let attempts: Int
    /// Counts how gateways answered.
    let metrics: RADIUSMetrics
    /// Where sessions that cannot be disconnected are logged.
    let logger: Logger
    /// Most Disconnect-Requests in flight at once for one SIM: a silent gateway costs each
    /// session `attempts × timeout`, so they are sent side by side, within a bound.
    static let concurrency = 16

    /// The job handler that runs a ``DisconnectJob`` for its SIM, apart from other jobs: a silent
    /// gateway keeps it waiting for seconds.
    var handler: JobHandler {
        JobHandler(DisconnectJob.self, run: { parameters, _ in
            let silent = try await disconnectAll([parameters.sim])
            if !silent.isEmpty { throw NoAnswer(sessions: silent.count) }
        }, runBatch: { jobs in
            // SIMs leave LIVE by the thousand (AOFU shutdowns); those queued had an open
            // session then, and one read finds the sessions still open. A silent gateway fails
            // only its own SIMs: each is queued again with backoff, up to three tries, and
            // what the batch sent is not sent again.
            let silent = try await disconnectAll(jobs.map(\.0.sim))
            guard !silent.isEmpty else { return }
            let retries = Dictionary(jobs.map { ($0.0.sim, $0.0.retry ?? 0) }, uniquingKeysWith: max)
            let now = clock.now()
            var again: [NewJob] = []
            for sim in silent.sorted() {
                let retry = (retries[sim] ?? 0) + 1
                guard retry < 3 else {
                    logger.warning("Three Disconnect-Requests got no answer (the gateway stayed silent, or they could not be sent); giving up", metadata: ["sim": "\(sim)"])
                    continue
                }
                again.append(try DisconnectJob.job(for: sim, at: now.addingTimeInterval(10 * pow(2, Double(retry - 1))), retry: retry))
            }
            try await store.transaction { tx in try await tx.jobs.enqueue(again, now: now) }
        }).apart()
    }

    /// Some gateways stayed silent; the job fails so that it runs again.
    struct NoAnswer: Error, CustomStringConvertible {
        /// How many sessions got no answer.
        let sessions: Int
        var description: String { "\(sessions) gateway(s) did not answer the Disconnect-Request" }
    }

    /// Sends the Disconnect-Requests these SIMs' open sessions need; returns the SIMs with a
    /// session whose gateway stayed silent.
    func disconnectAll(_ simIDs: [SimID]) async throws -> Set<SimID> {
        let (sims, sessions) = try await store.read { tx in
            let sessions = try await tx.sessions.openSessions(simIDs: simIDs)
            return (try await tx.sims.find(ids: Array(Set(sessions.map(\.simID))), accountID: nil), sessions)
        }
        // A SIM back to LIVE before the job ran keeps its sessions (but not a former holder's,
        // see ``mustEnd(_:of:)``). An ACK or a NAK is the
        // gateway's final answer for the SIM's departure from LIVE it was asked about; only
        // silence is asked again (and a session still counting data five minutes after its
        // answer, which the ledger reopens with its answer set aside). A session still open when its SIM leaves LIVE again (its
        // status changed after the answer) is asked again: a NAK does not leave it open for good.
        let pending = sessions.compactMap { session -> (DataSession, Sim)? in
            guard let sim = sims[session.simID], Self.mustEnd(session, of: sim) else { return nil }
            if let answer = session.disconnect, answer.outcome != .noAnswer, answer.at >= sim.statusChangedAt { return nil }
            return (session, sim)
        }
        return try await withThrowingTaskGroup(of: (SimID, Bool).self) { group in
            var silent: Set<SimID> = []
            var next = pending.makeIterator()
            func sendNext() {
                guard let (session, sim) = next.next() else { return }
                group.addTask { (sim.id, try await disconnect(session, of: sim)) }
            }
            for _ in 0..<Self.concurrency { sendNext() }
            while let (sim, answered) = try await group.next() {
                if !answered { silent.insert(sim) }
                sendNext()
            }
            return silent
        }
    }

    /// Sends one session's Disconnect-Request and records the answer; `false` if the gateway stayed silent.
    func disconnect(_ session: DataSession, of sim: Sim) async throws -> Bool {
        // Read again just before sending: an instance that froze past its claim's lease resumed
        // and sent Disconnect-Requests for sessions the instance that took its job over had
        // ended meanwhile.
        guard try await stillWanted(session) else { return true }
        guard let client = clients.client(for: session.clientAddress) else {
            // Nothing to sign with and nowhere to send: said on the session and by an event,
            // so the SIM's page shows why its session may still be open. Final, like a NAK.
            logger.warning("No RADIUS client for a session's gateway; cannot disconnect", metadata: ["gateway": "\(session.clientAddress)", "session": "\(session.sessionID)"])
            metrics.disconnect(.notSent)
            try await record(
                .notSent, errorCause: nil, session: session, sim: sim,
                detail: "no RADIUS client is configured for gateway \(session.clientAddress)"
            )
            return true
        }
        let request = RADIUSAuthenticators.signRequest(Self.request(for: session, sim: sim, at: clock.now()), secret: client.secret)
        let reply: RADIUSPacket?
        do {
            // Each resend asks again whether it is still wanted: a SIM made LIVE again between
            // two sends kept its session only if the gateway stayed silent to the first.
            reply = try await RADIUSRequester.exchange(
                request, secret: client.secret, host: session.clientAddress, port: client.coaPort, timeout: timeout, attempts: attempts,
                // A store that cannot answer now (no free connection) sends again, as before
                // the question was asked: its error is not the exchange's.
                replyCodes: [.disconnectACK, .disconnectNAK], beforeResend: {
                    do {
                        return try await stillWanted(session)
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        return true
                    }
                }
            )
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // Not sent at all (no route to the gateway, say): told like silence, on the session
            // and by an event, and asked again at the job's next attempt.
            logger.warning("Disconnect-Request not sent", metadata: ["gateway": "\(session.clientAddress)", "session": "\(session.sessionID)", "error": "\(error)"])
            metrics.disconnect(.noAnswer)
            try await record(.noAnswer, errorCause: nil, session: session, sim: sim, detail: "not sent: \(error)")
            return false
        }
        // Silence after the resends were called off: nothing more to ask, nothing to tell.
        if reply == nil, try await !stillWanted(session) { return true }
        let outcome: DisconnectOutcome = switch reply?.code {
        case .disconnectACK?: .acked
        case .disconnectNAK?: .nacked
        default: .noAnswer
        }
        metrics.disconnect(outcome)
        try await record(outcome, errorCause: reply?.attribute(RADIUSAttributeType.errorCause)?.integerValue, session: session, sim: sim)
        return outcome != .noAnswer
    }

    /// Whether the session still needs its Disconnect-Request, read afresh: not if its SIM is
    /// LIVE again (or gone), nor if the session has stopped or got a final answer meanwhile.
    private func stillWanted(_ session: DataSession) async throws -> Bool {
        try await store.read { tx in
            // Under its key another SIM's session may have begun: that one was not asked about.
            guard let current = try await tx.sessions.session(session.key), current.simID == session.simID,
                  let sim = try await tx.sims.find(ids: [session.simID], accountID: nil)[session.simID] else { return false }
            return Self.mustEnd(current, of: sim) && !Self.isSettled(current, for: sim)
        }
    }

    /// Whether the session must end: its SIM is not LIVE, or the session is a former holder's
    /// (begun before the SIM changed hands), which no status of the new holder keeps.
    static func mustEnd(_ session: DataSession, of sim: Sim) -> Bool {
        sim.status != .live || session.accountID != sim.accountID
    }

    private func record(_ outcome: DisconnectOutcome, errorCause: UInt32?, session: DataSession, sim: Sim, detail: String? = nil) async throws {
        let now = clock.now()
        var reason = "Disconnect-Request for session \(session.sessionID): \(outcome.rawValue)"
        if let errorCause { reason += " (Error-Cause \(errorCause))" }
        if let detail { reason += " (\(detail))" }
        let cause = ChangeCause(actor: ChangeActor(.network, id: session.nas), reason: reason)
        try await store.transaction { tx in
            // The session asked about, still under its key: an answer that came after another
            // SIM's session (or a new one of this SIM) took the key was written onto that
            // session, stopping a LIVE SIM's session nobody had asked about.
            guard let current = try await tx.sessions.session(session.key), current.simID == session.simID, current.startedAt == session.startedAt else { return }
            // A final answer already stored for this departure from LIVE stands: the resumed
            // instance's late "no answer" wrote over another's ACK, and each late answer added
            // a second event.
            if Self.hasFinalAnswer(current, for: sim) { return }
            try await tx.sessions.recordDisconnect(session.key, SessionDisconnect(outcome: outcome, errorCause: errorCause, at: now))
            // Stopped before the answer came (its Stop came first, as gateways send it): the stop
            // was told, and the answer is kept on the session without a second event.
            if current.stoppedAt != nil { return }
            // The SIM as it is now, not as the job read it: the exchange takes seconds, and a
            // SIM handed over meanwhile had its answer told to the former holder, with a
            // snapshot of a state it no longer had.
            let present = try await tx.sims.find(ids: [sim.id], accountID: nil)[sim.id] ?? sim
            var event = try events.simEvent(.simSessionDisconnected, sim: present, previousAttributes: nil, cause: cause, at: now)
            if session.accountID != present.accountID {
                // A former holder's session, asked about after the SIM changed hands (a retry
                // of the disconnect its suspension queued): told to the new holder, it showed
                // them the former's session; told to the former, the SIM as the new holder
                // keeps it. The operator's alone, like stock; the session row keeps the answer
                // for its own.
                event = event.operatorOnly
            }
            try await tx.events.append([event])
        }
    }

    /// Whether the session needs no more asking about the SIM's departure from LIVE: it
    /// stopped, or its gateway gave a final answer (ACK, NAK, or none can be sent) since the
    /// SIM's status last changed.
    static func isSettled(_ session: DataSession, for sim: Sim) -> Bool {
        session.stoppedAt != nil || hasFinalAnswer(session, for: sim)
    }

    /// Whether the session's gateway already gave a final answer since the SIM's status last
    /// changed.
    static func hasFinalAnswer(_ session: DataSession, for sim: Sim) -> Bool {
        guard let answer = session.disconnect else { return false }
        return answer.outcome != .noAnswer && answer.at >= sim.statusChangedAt
    }

    /// Names the session the way the gateway knows it (RFC 5176 section 3): the User-Name it
    /// was opened with (the IMSI if the gateway never sent one), the Acct-Session-Id, the
    /// gateway, the device's Framed-IP-Address when known, and the 3GPP-IMSI.
    static func request(for session: DataSession, sim: Sim, at now: Date) -> RADIUSPacket {
        var attributes: [RADIUSAttribute] = [
            .text(RADIUSAttributeType.userName, session.userName ?? sim.imsi.digits),
            .text(RADIUSAttributeType.acctSessionID, session.sessionID),
        ]
        if let octets = RADIUSClientTable.ipv4Octets(session.nas) {
            attributes.append(RADIUSAttribute(type: RADIUSAttributeType.nasIPAddress, value: octets))
        } else {
            attributes.append(.text(RADIUSAttributeType.nasIdentifier, session.nas))
        }
        if let framed = session.framedIPAddress.flatMap(RADIUSClientTable.ipv4Octets) {
            attributes.append(RADIUSAttribute(type: RADIUSAttributeType.framedIPAddress, value: framed))
        }
        attributes.append(.vendorSpecific(vendor: ThreeGPPAttribute.vendorID, type: ThreeGPPAttribute.imsi, value: Array(sim.imsi.digits.utf8)))
        attributes.append(.integer(RADIUSAttributeType.eventTimestamp, UInt32(clamping: Int64(now.timeIntervalSince1970))))
        return RADIUSPacket(code: .disconnectRequest, identifier: UInt8.random(in: 0...255), authenticator: [UInt8](repeating: 0, count: 16), attributes: attributes)
    }
}

