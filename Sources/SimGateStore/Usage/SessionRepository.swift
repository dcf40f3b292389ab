import Foundation
import SimGateCore
import SQLKit

/// Accounting sessions: one row per gateway and session id, with its counters, place, device
/// and how a Disconnect-Request for it was answered.
public struct SessionRepository: Sendable {
    /// The connection (inside its transaction) every query here runs on.
    let db: any SQLDatabase

    /// The stored sessions among `keys`, locked for update on PostgreSQL.
    public func sessions(_ keys: Set<SessionKey>) async throws -> [SessionKey: DataSession] {
        var found: [SessionKey: DataSession] = [:]
        found.reserveCapacity(keys.count)
        // Two IN lists rather than row values, which not every engine takes in a list; the few
        // extra rows they might match are dropped below. A batch's gateways are few, so the
        // gateways' list is usually a single value.
        let all = Array(keys)
        for chunk in BatchShape.inLists(all.map(\.sessionID), lists: 2, on: db) {
            let wanted = Set(chunk)
            let gateways = Array(Set(all.lazy.filter { wanted.contains($0.sessionID) }.map(\.nas)))
            for gatewayChunk in BatchShape.inLists(gateways, lists: 2, on: db) {
                var query = SQLText(for: db)
                query.append(#"SELECT * FROM "radius_sessions" WHERE "nas" IN "#)
                query.bindList(gatewayChunk)
                query.append(#" AND "session_id" IN "#)
                query.bindList(chunk)
                if db.dialect.name == "postgresql" { query.append(" FOR UPDATE") }
                for row in try await query.query(on: db).all() {
                    let session = try Self.session(row)
                    if keys.contains(session.key) { found[session.key] = session }
                }
            }
        }
        return found
    }

    /// One stored session, if there is one.
    public func session(_ key: SessionKey) async throws -> DataSession? {
        try await sessions([key])[key]
    }

    /// The open sessions of these SIMs, oldest first within each statement's share of them.
    public func openSessions(simIDs: [SimID]) async throws -> [DataSession] {
        var found: [DataSession] = []
        for ids in Self.idLists(simIDs, on: db) {
            found += try await db.select().column("*").from("radius_sessions").where("sim_id", .in, ids)
                .where("stopped_at", .is, SQLLiteral.null).orderBy("started_at").all().map(Self.session)
        }
        return found
    }

    /// Which of these SIMs have an open session: read from `radius_sessions_open_by_sim` alone.
    public func simsWithOpenSessions(_ simIDs: [SimID]) async throws -> Set<SimID> {
        var found: Set<SimID> = []
        for ids in Self.idLists(simIDs, on: db) {
            let rows = try await db.select().distinct().column("sim_id").from("radius_sessions").where("sim_id", .in, ids)
                .where("stopped_at", .is, SQLLiteral.null).all()
            for row in rows { found.insert(SimID(trusted: try row.string("sim_id"))) }
        }
        return found
    }

    /// The SIMs' ids, each once and sorted, as `IN` lists of the sizes SQLite keeps prepared
    /// (a suspend asks about one SIM, a bulk change about many: any count reuses a statement).
    private static func idLists(_ simIDs: [SimID], on db: any SQLDatabase) -> [[String]] {
        BatchShape.inLists(Array(Set(simIDs.map(\.rawValue))).sorted(), on: db)
    }

    /// A SIM's sessions, newest first: `limit` of them, and whether there are more. With
    /// `accountID`, only the sessions that began while that account held the SIM.
    public func sessions(
        simID: SimID, accountID: AccountID?, openOnly: Bool, limit: Int, after: DataSession? = nil
    ) async throws -> (sessions: [DataSession], hasMore: Bool) {
        var query = db.select().column("*").from("radius_sessions").where("sim_id", .equal, simID.rawValue)
        if let accountID { query = query.where("account_id", .equal, accountID.rawValue) }
        if openOnly { query = query.where("stopped_at", .is, SQLLiteral.null) }
        if let after {
            // Those after it in the list's order (start, then session id, then gateway, each
            // newest or greatest first): sessions that began in the same millisecond (a device
            // with two APNs) are neither skipped nor shown twice at a page's edge.
            let started = after.startedAt.stored
            query = query.where { older in
                older.where("started_at", .lessThan, started).orWhere { tied in
                    tied.where("started_at", .equal, started).where { rest in
                        rest.where("session_id", .lessThan, after.sessionID).orWhere { same in
                            same.where("session_id", .equal, after.sessionID).where("nas", .lessThan, after.nas)
                        }
                    }
                }
            }
        }
        let rows = try await query.orderBy("started_at", .descending).orderBy("session_id", .descending).orderBy("nas", .descending)
            .limit(limit + 1).all()
        return (try rows.prefix(limit).map(Self.session), rows.count > limit)
    }

    /// Creates or updates sessions with their counters, place and device. A session's start
    /// time is kept from its first report, and a stopped session stays stopped, except those
    /// named in `begunAgain`: a gateway began a new session under a stopped one's key, which is
    /// written over the old row whole (its start, owner, counters and disconnect outcome). Those
    /// named in `reopened` are written whole too: sessions their gateway kept running after it
    /// answered a Disconnect-Request, open again and asked again, their answer `no_answer` as
    /// of now until the gateway answers again.
    public func saveSessions(_ sessions: [DataSession], begunAgain: Set<SessionKey> = [], reopened: Set<SessionKey> = []) async throws {
        // An open session's update leaves `stopped_at` out. Its stop time is nil, so the
        // COALESCE would keep the stored value anyway; but an update that names an indexed
        // column rewrites the row's entry in that index (`radius_sessions_open_by_sim`) even
        // when the value stays, and nearly every report is an Interim-Update of an open session.
        var open: [any Encodable & Sendable] = [], stopped: [any Encodable & Sendable] = [], again: [any Encodable & Sendable] = []
        var askedAgain: [any Encodable & Sendable] = []
        open.reserveCapacity(sessions.count * Self.saveOpen.columnCount)
        for session in sessions {
            if !begunAgain.isEmpty, begunAgain.contains(session.key) {
                Self.append(session, to: &again)
            } else if !reopened.isEmpty, reopened.contains(session.key) {
                Self.append(session, to: &askedAgain)
            } else if session.stoppedAt == nil {
                Self.append(session, to: &open)
            } else {
                Self.append(session, to: &stopped)
            }
        }
        try await Self.saveOpen.runInShapes(rowsOf: open, on: db)
        try await Self.saveStopped.runInShapes(rowsOf: stopped, on: db)
        try await Self.saveBegunAgain.runInShapes(rowsOf: again, on: db)
        try await Self.saveReopened.runInShapes(rowsOf: askedAgain, on: db)
    }

    /// Appends a session's values, in the order of ``columns``.
    private static func append(_ session: DataSession, to values: inout [any Encodable & Sendable]) {
        values.append(session.nas); values.append(session.sessionID); values.append(session.simID.rawValue)
        values.append(orNull(session.accountID?.rawValue)); values.append(session.clientAddress)
        values.append(session.startedAt.stored); values.append(session.updatedAt.stored); values.append(orNull(session.stoppedAt?.stored))
        values.append(Int64(session.counters.inputBytes)); values.append(Int64(session.counters.outputBytes))
        values.append(orNull(session.mccMNC)); values.append(orNull(session.country)); values.append(orNull(session.rat))
        values.append(orNull(session.imei)); values.append(orNull(session.userName)); values.append(orNull(session.framedIPAddress))
        values.append(orNull(session.startedByGatewayClock.map { Int64($0 ? 1 : 0) })); values.append(orNull(session.firstHeardAt?.stored))
        assert(values.count.isMultiple(of: columns.count), "a session's row is one value a column")
    }

    /// The columns a saved session writes.
    private static let columns = [
        "nas", "session_id", "sim_id", "account_id", "client_address", "started_at", "updated_at", "stopped_at",
        "input_bytes", "output_bytes", "mcc_mnc", "country", "rat", "imei", "user_name", "framed_ip_address", "started_by_gateway_clock",
        "first_heard_at",
    ]

    /// What a report changes in a session heard of before; its start is kept.
    private static let updated = #""updated_at" = excluded."updated_at", "#
        + #""input_bytes" = excluded."input_bytes", "output_bytes" = excluded."output_bytes", "#
        + #""mcc_mnc" = excluded."mcc_mnc", "country" = excluded."country", "rat" = excluded."rat", "imei" = excluded."imei", "#
        + #""user_name" = excluded."user_name", "framed_ip_address" = excluded."framed_ip_address""#

    /// The upsert of a session still open.
    private static let saveOpen = InsertStatement(into: "radius_sessions", columns: columns, then: #"ON CONFLICT ("nas", "session_id") DO UPDATE SET "# + updated)

    /// The upsert of a session that has stopped: once stopped, it stays stopped when it was.
    private static let saveStopped = InsertStatement(
        into: "radius_sessions", columns: columns,
        then: #"ON CONFLICT ("nas", "session_id") DO UPDATE SET "# + updated
            + #", "stopped_at" = COALESCE("radius_sessions"."stopped_at", excluded."stopped_at")"#
    )

    /// The upsert that writes a session whole over its row (every column but the key as it is
    /// now), with its disconnect answer set by `answer`.
    private static func writingWhole(answer: String) -> InsertStatement {
        InsertStatement(
            into: "radius_sessions", columns: columns,
            then: #"ON CONFLICT ("nas", "session_id") DO UPDATE SET "#
                + columns.dropFirst(2).map { #""\#($0)" = excluded."\#($0)""# }.joined(separator: ", ") + ", " + answer
        )
    }

    /// The upsert of a session begun again under a stopped one's key: no disconnect has been
    /// asked for it yet.
    private static let saveBegunAgain = writingWhole(answer: #""disconnect_outcome" = NULL, "disconnect_error_cause" = NULL, "disconnect_at" = NULL"#)

    /// The upsert of a session reopened to be asked again: open, its answer `no_answer` as of its
    /// last report, so that its reports while the request is on its way do not ask a second time.
    private static let saveReopened = writingWhole(
        answer: #""disconnect_outcome" = 'no_answer', "disconnect_error_cause" = NULL, "disconnect_at" = excluded."updated_at""#
    )

    /// Stops the open sessions of a gateway that began before an Accounting-On/Off was made;
    /// returns the sessions stopped. A session began after it when SimGate first heard of it
    /// after `heardBy` (the report's arrival less Acct-Delay-Time), or when the gateway's clock
    /// dated its start after `gatewayTime` (the report's Event-Timestamp) and that clock read
    /// the same, within `clockSlack` seconds, against SimGate's at both: the start's Event-
    /// Timestamp less when SimGate first heard of it, and `gatewayTime` less `heardBy`. A reboot
    /// notice sent again, arriving after the gateway's first new Start, stopped that new
    /// session, which went on carrying data unseen by the disconnects; and a clock reset by the
    /// reboot (to 2000-01-01) or pulled back from running fast would, read alone, have dated
    /// every old session after the reboot and left them open for good. Sessions stored before
    /// SimGate kept when it first heard of them count as begun before.
    @discardableResult
    public func stopAllSessions(
        nas: String, heardBy: Date, gatewayTime: Date?, clockSlack: TimeInterval, at time: Date
    ) async throws -> [(key: SessionKey, simID: SimID, accountID: AccountID?)] {
        // Without an Event-Timestamp the report is taken as made at the latest instant there
        // is, by the gateway's clock: no start comes after it, and the clause keeps nothing.
        let gatewayMade = (gatewayTime ?? .distantFuture).stored, slack = Int64(clockSlack * 1_000)
        let offset = gatewayTime.map { $0.stored - heardBy.stored } ?? 0
        return try await db.raw("""
            UPDATE radius_sessions SET stopped_at = \(bind: time.stored), updated_at = \(bind: time.stored)
            WHERE nas = \(bind: nas) AND stopped_at IS NULL AND (first_heard_at IS NULL OR first_heard_at <= \(bind: heardBy.stored))
              AND NOT (COALESCE(started_by_gateway_clock, 0) = 1 AND first_heard_at IS NOT NULL AND started_at > \(bind: gatewayMade)
                       AND started_at - first_heard_at BETWEEN \(bind: offset - slack) AND \(bind: offset + slack))
            RETURNING session_id, sim_id, account_id
            """).all().map { row in
                (SessionKey(nas: nas, sessionID: try row.string("session_id")), SimID(trusted: try row.string("sim_id")),
                 try row.optionalString("account_id").map(AccountID.init(trusted:)))
            }
    }

    /// Records how the gateway answered a Disconnect-Request for a session; a disconnect that
    /// ends the session (``SessionDisconnect/endsSession``) also stops it.
    public func recordDisconnect(_ key: SessionKey, _ disconnect: SessionDisconnect) async throws {
        var update = db.update("radius_sessions")
            .set("disconnect_outcome", to: SQLBind(disconnect.outcome.rawValue))
            // Written as its 32 bits read signed, since PostgreSQL's INTEGER column holds no more:
            // an Error-Cause of 2^31 or more failed the write, no answer was stored, and the job
            // died resending. Read back as unsigned (``session(_:)``), it is the value sent.
            .set("disconnect_error_cause", to: SQLBind(disconnect.errorCause.map { Int64(Int32(bitPattern: $0)) }))
            .set("disconnect_at", to: SQLBind(disconnect.at.stored))
        if disconnect.endsSession { update = update.set("stopped_at", to: SQLRaw("COALESCE(stopped_at, \(disconnect.at.stored))")) }
        try await update.where("nas", .equal, key.nas).where("session_id", .equal, key.sessionID).run()
    }

    /// Reads a `radius_sessions` row; an unreadable disconnect outcome counts as no answer.
    static func session(_ row: any SQLRow) throws -> DataSession {
        DataSession(
            nas: try row.string("nas"), sessionID: try row.string("session_id"), simID: SimID(trusted: try row.string("sim_id")),
            accountID: try row.optionalString("account_id").map(AccountID.init(trusted:)),
            clientAddress: try row.string("client_address"), startedAt: try row.date("started_at"),
            startedByGatewayClock: try row.optionalInt64("started_by_gateway_clock").map { $0 != 0 },
            firstHeardAt: try row.optionalDate("first_heard_at"), updatedAt: try row.date("updated_at"),
            stoppedAt: try row.optionalDate("stopped_at"),
            counters: SessionCounters(
                inputBytes: try row.byteCount("input_bytes", table: "radius_sessions"), outputBytes: try row.byteCount("output_bytes", table: "radius_sessions")
            ),
            mccMNC: try row.optionalString("mcc_mnc"), country: try row.optionalString("country"), rat: try row.optionalString("rat"),
            imei: try row.optionalString("imei"), userName: try row.optionalString("user_name"),
            framedIPAddress: try row.optionalString("framed_ip_address"),
            disconnect: try row.optionalDate("disconnect_at").map { at in
                SessionDisconnect(
                    outcome: DisconnectOutcome(rawValue: try row.string("disconnect_outcome")) ?? .noAnswer,
                    errorCause: try row.optionalInt64("disconnect_error_cause").map(UInt32.init(truncatingIfNeeded:)), at: at
                )
            }
        )
    }
}
