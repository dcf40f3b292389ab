import Foundation
import SimGateCore
import SQLKit

/// One accounting session as stored: its highest counters so far and where it is.
public struct StoredSession: Sendable, Equatable {
    public let nas: String
    public let sessionID: String
    public let simID: SimID
    public var counters: SessionCounters
    public var stoppedAt: Date?

    public init(nas: String, sessionID: String, simID: SimID, counters: SessionCounters, stoppedAt: Date?) {
        self.nas = nas
        self.sessionID = sessionID
        self.simID = simID
        self.counters = counters
        self.stoppedAt = stoppedAt
    }
}

/// A usage record: bytes a SIM used over an interval.
public struct UsageRecord: Sendable, Equatable {
    public let id: String
    public let simID: SimID
    public let accountID: AccountID?
    /// `radius`, `api` or `csv`.
    public let source: String
    /// The sender's own id, for idempotency; RADIUS records use none.
    public let senderID: String?
    public let sessionID: String?
    public let startedAt: Date
    public let endedAt: Date
    public let bytesUp: UInt64
    public let bytesDown: UInt64
    public let mccMNC: String?
    public let imei: String?

    public init(id: String, simID: SimID, accountID: AccountID?, source: String, senderID: String?, sessionID: String?,
                startedAt: Date, endedAt: Date, bytesUp: UInt64, bytesDown: UInt64, mccMNC: String?, imei: String?) {
        self.id = id
        self.simID = simID
        self.accountID = accountID
        self.source = source
        self.senderID = senderID
        self.sessionID = sessionID
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.bytesUp = bytesUp
        self.bytesDown = bytesDown
        self.mccMNC = mccMNC
        self.imei = imei
    }
}

/// Accounting sessions, usage records and per-SIM totals by day and month, kept up to date as
/// records arrive (never recomputed by scanning).
public struct UsageStore: Sendable {
    public init() {}

    /// The session of `nas` and `sessionID`, locked for update on PostgreSQL.
    public func session(nas: String, sessionID: String, on db: any SQLDatabase) async throws -> StoredSession? {
        var query = db.select().column("*").from("radius_sessions").where("nas", .equal, nas).where("session_id", .equal, sessionID)
        if db.dialect.name == "postgresql" { query = query.for(.update) }
        guard let row = try await query.first() else { return nil }
        return StoredSession(
            nas: nas, sessionID: sessionID, simID: SimID(trusted: try row.string("sim_id")),
            counters: SessionCounters(inputBytes: UInt64(try row.int64("input_bytes")), outputBytes: UInt64(try row.int64("output_bytes"))),
            stoppedAt: try row.optionalDate("stopped_at")
        )
    }

    /// Creates or updates a session with its counters, place and device.
    public func saveSession(
        _ session: StoredSession, clientAddress: String, mccMNC: String?, imei: String?, at time: Date, on db: any SQLDatabase
    ) async throws {
        try await db.raw("""
            INSERT INTO radius_sessions (nas, session_id, sim_id, client_address, started_at, updated_at, stopped_at, input_bytes, output_bytes, mcc_mnc, imei)
            VALUES (\(bind: session.nas), \(bind: session.sessionID), \(bind: session.simID.rawValue), \(bind: clientAddress), \(bind: time.stored),
                    \(bind: time.stored), \(bind: session.stoppedAt?.stored), \(bind: Int64(session.counters.inputBytes)),
                    \(bind: Int64(session.counters.outputBytes)), \(bind: mccMNC), \(bind: imei))
            ON CONFLICT (nas, session_id) DO UPDATE SET
                updated_at = excluded.updated_at, stopped_at = COALESCE(radius_sessions.stopped_at, excluded.stopped_at),
                input_bytes = excluded.input_bytes, output_bytes = excluded.output_bytes,
                mcc_mnc = COALESCE(excluded.mcc_mnc, radius_sessions.mcc_mnc), imei = COALESCE(excluded.imei, radius_sessions.imei)
            """).run()
    }

    /// Stops every open session of a gateway (Accounting-On/Off); returns how many.
    @discardableResult
    public func stopAllSessions(nas: String, at time: Date, on db: any SQLDatabase) async throws -> Int {
        try await db.raw("""
            UPDATE radius_sessions SET stopped_at = \(bind: time.stored), updated_at = \(bind: time.stored)
            WHERE nas = \(bind: nas) AND stopped_at IS NULL RETURNING session_id
            """).all().count
    }

    /// Inserts a record and adds it to the SIM's day and month totals. Returns `false`, and adds
    /// nothing, if a record with the same source and sender id exists.
    @discardableResult
    public func insert(_ record: UsageRecord, now: Date, on db: any SQLDatabase) async throws -> Bool {
        let inserted = try await db.raw("""
            INSERT INTO usage_records (id, sim_id, account_id, source, sender_id, session_id, started_at, ended_at, bytes_up, bytes_down, mcc_mnc, imei, created_at)
            VALUES (\(bind: record.id), \(bind: record.simID.rawValue), \(bind: record.accountID?.rawValue), \(bind: record.source), \(bind: record.senderID),
                    \(bind: record.sessionID), \(bind: record.startedAt.stored), \(bind: record.endedAt.stored), \(bind: Int64(record.bytesUp)),
                    \(bind: Int64(record.bytesDown)), \(bind: record.mccMNC), \(bind: record.imei), \(bind: now.stored))
            ON CONFLICT DO NOTHING
            RETURNING id
            """).all()
        guard !inserted.isEmpty else { return false }
        for period in Self.periods(of: record.endedAt) {
            try await db.raw("""
                INSERT INTO usage_totals (sim_id, period, bytes_up, bytes_down)
                VALUES (\(bind: record.simID.rawValue), \(bind: period), \(bind: Int64(record.bytesUp)), \(bind: Int64(record.bytesDown)))
                ON CONFLICT (sim_id, period) DO UPDATE SET
                    bytes_up = usage_totals.bytes_up + excluded.bytes_up, bytes_down = usage_totals.bytes_down + excluded.bytes_down
                """).run()
        }
        return true
    }

    /// A SIM's total for a period key: `2026-11-22` (a UTC day) or `2026-11` (a UTC month).
    public func total(simID: SimID, period: String, on db: any SQLDatabase) async throws -> (up: UInt64, down: UInt64) {
        guard let row = try await db.select().column("*").from("usage_totals")
            .where("sim_id", .equal, simID.rawValue).where("period", .equal, period).first()
        else { return (0, 0) }
        return (UInt64(try row.int64("bytes_up")), UInt64(try row.int64("bytes_down")))
    }

    /// The day and month keys (UTC) a record ending at `time` counts towards.
    public static func periods(of time: Date) -> [String] {
        let day = time.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day())
        return [day, String(day.prefix(7))]
    }

    /// Totals of one SIM per period whose key starts with `prefix` kind: days (`YYYY-MM-DD`) or
    /// months (`YYYY-MM`), between `from` and `to` inclusive, oldest first.
    public func totals(simID: SimID, months: Bool, from: String, to: String, on db: any SQLDatabase) async throws -> [(period: String, up: UInt64, down: UInt64)] {
        let rows = try await db.select().column("*").from("usage_totals")
            .where("sim_id", .equal, simID.rawValue)
            .where("period", .greaterThanOrEqual, from).where("period", .lessThanOrEqual, to)
            .orderBy("period").all()
        return try rows.compactMap { row in
            let period = try row.string("period")
            guard (period.count == 7) == months else { return nil }
            return (period, UInt64(try row.int64("bytes_up")), UInt64(try row.int64("bytes_down")))
        }
    }
}
