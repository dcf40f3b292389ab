import Foundation
import SimGateCore
import SQLKit

/// Accounting sessions, usage records and per-SIM totals by day, month and country, kept up
/// to date as records arrive (never recomputed by scanning).
///
/// Every write takes many rows at once: RADIUS accounting commits hundreds of reports per
/// transaction, and a statement per row would cost more than the rest of the work together.
public struct UsageStore: Sendable {
    /// Rows per multi-row statement: at most 15 binds each, far under SQLite's 32,766 and
    /// PostgreSQL's 65,535.
    static let rowsPerStatement = 1_000

    public init() {}

    // MARK: Sessions

    /// The stored sessions among `keys`, locked for update on PostgreSQL.
    public func sessions(_ keys: Set<SessionKey>, on db: any SQLDatabase) async throws -> [SessionKey: StoredSession] {
        var found: [SessionKey: StoredSession] = [:]
        let all = Array(keys)
        for start in stride(from: 0, to: all.count, by: Self.rowsPerStatement) {
            let chunk = all[start..<min(start + Self.rowsPerStatement, all.count)]
            // Two IN lists rather than row values, which not every engine takes in a list; the
            // few extra rows they might match are dropped below.
            var query = db.select().column("*").from("radius_sessions")
                .where("nas", .in, Array(Set(chunk.map(\.nas)))).where("session_id", .in, chunk.map(\.sessionID))
            if db.dialect.name == "postgresql" { query = query.for(.update) }
            for row in try await query.all() {
                let session = try Self.session(row)
                if keys.contains(session.key) { found[session.key] = session }
            }
        }
        return found
    }

    /// One stored session, if there is one.
    public func session(_ key: SessionKey, on db: any SQLDatabase) async throws -> StoredSession? {
        try await sessions([key], on: db)[key]
    }

    /// The open sessions of a SIM (no Stop seen yet), oldest first.
    public func openSessions(simID: SimID, on db: any SQLDatabase) async throws -> [StoredSession] {
        try await db.select().column("*").from("radius_sessions")
            .where("sim_id", .equal, simID.rawValue).where("stopped_at", .is, SQLLiteral.null)
            .orderBy("started_at").all().map(Self.session)
    }

    /// A SIM's sessions, newest first: `limit` of them, and whether there are more.
    public func sessions(simID: SimID, openOnly: Bool, limit: Int, on db: any SQLDatabase) async throws -> (sessions: [StoredSession], hasMore: Bool) {
        var query = db.select().column("*").from("radius_sessions").where("sim_id", .equal, simID.rawValue)
        if openOnly { query = query.where("stopped_at", .is, SQLLiteral.null) }
        let rows = try await query.orderBy("started_at", .descending).orderBy("session_id", .descending).limit(limit + 1).all()
        return (try rows.prefix(limit).map(Self.session), rows.count > limit)
    }

    /// Creates or updates sessions with their counters, place and device. A session's start
    /// time is kept from its first report, and a stopped session stays stopped.
    public func saveSessions(_ sessions: [StoredSession], on db: any SQLDatabase) async throws {
        for start in stride(from: 0, to: sessions.count, by: Self.rowsPerStatement) {
            var insert = db.insert(into: "radius_sessions").columns(
                "nas", "session_id", "sim_id", "client_address", "started_at", "updated_at", "stopped_at",
                "input_bytes", "output_bytes", "mcc_mnc", "country", "rat", "imei"
            )
            for session in sessions[start..<min(start + Self.rowsPerStatement, sessions.count)] {
                insert = insert.values(
                    SQLBind(session.nas), SQLBind(session.sessionID), SQLBind(session.simID.rawValue), SQLBind(session.clientAddress),
                    SQLBind(session.startedAt.stored), SQLBind(session.updatedAt.stored), bindOrNull(session.stoppedAt?.stored),
                    SQLBind(Int64(session.counters.inputBytes)), SQLBind(Int64(session.counters.outputBytes)),
                    bindOrNull(session.mccMNC), bindOrNull(session.country), bindOrNull(session.rat), bindOrNull(session.imei)
                )
            }
            try await insert.onConflict(with: ["nas", "session_id"]) { update in
                update
                    .set(excludedValueOf: "updated_at").set(excludedValueOf: "input_bytes").set(excludedValueOf: "output_bytes")
                    .set("stopped_at", to: SQLRaw("COALESCE(radius_sessions.stopped_at, excluded.stopped_at)"))
                    .set(excludedValueOf: "mcc_mnc").set(excludedValueOf: "country").set(excludedValueOf: "rat").set(excludedValueOf: "imei")
            }.run()
        }
    }

    /// Stops every open session of a gateway (Accounting-On/Off); returns how many.
    @discardableResult
    public func stopAllSessions(nas: String, at time: Date, on db: any SQLDatabase) async throws -> Int {
        try await db.raw("""
            UPDATE radius_sessions SET stopped_at = \(bind: time.stored), updated_at = \(bind: time.stored)
            WHERE nas = \(bind: nas) AND stopped_at IS NULL RETURNING session_id
            """).all().count
    }

    /// Records how the gateway answered a Disconnect-Request for a session.
    public func recordDisconnect(_ key: SessionKey, outcome: DisconnectOutcome, errorCause: UInt32?, at time: Date, on db: any SQLDatabase) async throws {
        var update = db.update("radius_sessions")
            .set("disconnect_outcome", to: SQLBind(outcome.rawValue))
            .set("disconnect_error_cause", to: SQLBind(errorCause.map(Int64.init)))
            .set("disconnect_at", to: SQLBind(time.stored))
        // An acknowledged disconnect ends the session even if the gateway's Stop never comes.
        if outcome == .acked { update = update.set("stopped_at", to: SQLRaw("COALESCE(stopped_at, \(time.stored))")) }
        try await update.where("nas", .equal, key.nas).where("session_id", .equal, key.sessionID).run()
    }

    static func session(_ row: any SQLRow) throws -> StoredSession {
        StoredSession(
            nas: try row.string("nas"), sessionID: try row.string("session_id"), simID: SimID(trusted: try row.string("sim_id")),
            clientAddress: try row.string("client_address"), startedAt: try row.date("started_at"), updatedAt: try row.date("updated_at"),
            stoppedAt: try row.optionalDate("stopped_at"),
            counters: SessionCounters(inputBytes: UInt64(try row.int64("input_bytes")), outputBytes: UInt64(try row.int64("output_bytes"))),
            mccMNC: try row.optionalString("mcc_mnc"), country: try row.optionalString("country"), rat: try row.optionalString("rat"),
            imei: try row.optionalString("imei"),
            disconnect: try row.optionalDate("disconnect_at").map { at in
                SessionDisconnect(
                    outcome: DisconnectOutcome(rawValue: try row.string("disconnect_outcome")) ?? .noAnswer,
                    errorCause: try row.optionalInt64("disconnect_error_cause").map(UInt32.init(truncatingIfNeeded:)), at: at
                )
            }
        )
    }

    // MARK: Records and totals

    /// Inserts records and adds the new ones to their SIMs' totals. A record whose source and
    /// sender id are already stored is a resend: it is skipped and adds nothing. Returns the
    /// ids of the records that were new.
    @discardableResult
    public func insert(_ records: [UsageRecord], now: Date, on db: any SQLDatabase) async throws -> Set<String> {
        var inserted: Set<String> = []
        for start in stride(from: 0, to: records.count, by: Self.rowsPerStatement) {
            var insert = db.insert(into: "usage_records").columns(
                "id", "sim_id", "account_id", "source", "sender_id", "session_id", "started_at", "ended_at",
                "bytes_up", "bytes_down", "mcc_mnc", "country", "rat", "imei", "created_at"
            )
            for record in records[start..<min(start + Self.rowsPerStatement, records.count)] {
                insert = insert.values(
                    SQLBind(record.id), SQLBind(record.simID.rawValue), bindOrNull(record.accountID?.rawValue), SQLBind(record.source),
                    bindOrNull(record.senderID), bindOrNull(record.sessionID), SQLBind(record.startedAt.stored), SQLBind(record.endedAt.stored),
                    SQLBind(Int64(record.bytesUp)), SQLBind(Int64(record.bytesDown)), bindOrNull(record.mccMNC), bindOrNull(record.country),
                    bindOrNull(record.rat), bindOrNull(record.imei), SQLBind(now.stored)
                )
            }
            for row in try await insert.ignoringConflicts().returning(SQLColumn("id")).all() {
                inserted.insert(try row.string("id"))
            }
        }
        var totals: [UsageTotalKey: (up: UInt64, down: UInt64)] = [:]
        for record in records where inserted.contains(record.id) {
            for period in Self.periods(of: record.endedAt) {
                let key = UsageTotalKey(simID: record.simID, accountID: record.accountID, period: period, country: record.country ?? "")
                totals[key, default: (0, 0)].up += record.bytesUp
                totals[key, default: (0, 0)].down += record.bytesDown
            }
        }
        try await addToTotals(totals, on: db)
        return inserted
    }

    /// Adds to totals by upsert; each key appears once, as one statement may not touch a row twice.
    func addToTotals(_ totals: [UsageTotalKey: (up: UInt64, down: UInt64)], on db: any SQLDatabase) async throws {
        let all = totals.sorted { ($0.key.simID.rawValue, $0.key.period, $0.key.country) < ($1.key.simID.rawValue, $1.key.period, $1.key.country) }
        for start in stride(from: 0, to: all.count, by: Self.rowsPerStatement) {
            var insert = db.insert(into: "usage_totals").columns("sim_id", "account_id", "period", "country", "bytes_up", "bytes_down")
            for (key, bytes) in all[start..<min(start + Self.rowsPerStatement, all.count)] {
                insert = insert.values(
                    SQLBind(key.simID.rawValue), bindOrNull(key.accountID?.rawValue), SQLBind(key.period), SQLBind(key.country),
                    SQLBind(Int64(bytes.up)), SQLBind(Int64(bytes.down))
                )
            }
            try await insert.onConflict(with: ["sim_id", "period", "country"]) { update in
                update
                    .set("bytes_up", to: SQLRaw("usage_totals.bytes_up + excluded.bytes_up"))
                    .set("bytes_down", to: SQLRaw("usage_totals.bytes_down + excluded.bytes_down"))
            }.run()
        }
    }

    /// The day and month keys (UTC) a record ending at `time` counts towards.
    public static func periods(of time: Date) -> [String] {
        let day = time.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day())
        return [day, String(day.prefix(7))]
    }

    /// A SIM's total for a period key (`2026-11-22` or `2026-11`), all countries together.
    public func total(simID: SimID, period: String, on db: any SQLDatabase) async throws -> (up: UInt64, down: UInt64) {
        let rows = try await totals(UsageTotalsQuery(scope: .sim(simID), months: period.count == 7, from: period, to: period), on: db)
        return rows.reduce((0, 0)) { ($0.0 + $1.up, $0.1 + $1.down) }
    }

    /// Totals by period (and by country when asked), oldest first.
    public func totals(_ query: UsageTotalsQuery, on db: any SQLDatabase) async throws -> [UsageTotal] {
        var select = db.select().column("period").from("usage_totals")
            // PostgreSQL sums BIGINT into NUMERIC; the cast brings it back.
            .column(SQLRaw("CAST(SUM(bytes_up) AS BIGINT) AS up"))
            .column(SQLRaw("CAST(SUM(bytes_down) AS BIGINT) AS down"))
            .where("period", .greaterThanOrEqual, query.from).where("period", .lessThanOrEqual, query.to)
            // Day keys are 10 characters and month keys 7; the range alone would mix them.
            .where(SQLFunction("LENGTH", args: SQLColumn("period")), .equal, SQLBind(query.months ? 7 : 10))
            .groupBy("period").orderBy("period")
        switch query.scope {
        case .sim(let id): select = select.where("sim_id", .equal, id.rawValue)
        case .account(let id): select = select.where("account_id", .equal, id.rawValue)
        case .everyone: break
        }
        if let country = query.country { select = select.where("country", .equal, country) }
        if query.byCountry { select = select.column("country").groupBy("country").orderBy("country") }
        return try await select.all().map { row in
            let country = query.byCountry ? try row.string("country") : nil
            return UsageTotal(
                period: try row.string("period"), country: country.flatMap { $0.isEmpty ? nil : $0 },
                up: UInt64(try row.decode(column: "up", as: Int64.self)), down: UInt64(try row.decode(column: "down", as: Int64.self))
            )
        }
    }
}
