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

    /// A SIM's sessions, newest first: `limit` of them, and whether there are more. With
    /// `accountID`, only the sessions that began while that account held the SIM.
    public func sessions(simID: SimID, accountID: AccountID?, openOnly: Bool, limit: Int, on db: any SQLDatabase) async throws -> (sessions: [StoredSession], hasMore: Bool) {
        var query = db.select().column("*").from("radius_sessions").where("sim_id", .equal, simID.rawValue)
        if let accountID { query = query.where("account_id", .equal, accountID.rawValue) }
        if openOnly { query = query.where("stopped_at", .is, SQLLiteral.null) }
        let rows = try await query.orderBy("started_at", .descending).orderBy("session_id", .descending).limit(limit + 1).all()
        return (try rows.prefix(limit).map(Self.session), rows.count > limit)
    }

    /// Creates or updates sessions with their counters, place and device. A session's start
    /// time is kept from its first report, and a stopped session stays stopped.
    public func saveSessions(_ sessions: [StoredSession], on db: any SQLDatabase) async throws {
        for start in stride(from: 0, to: sessions.count, by: Self.rowsPerStatement) {
            var insert = db.insert(into: "radius_sessions").columns(
                "nas", "session_id", "sim_id", "account_id", "client_address", "started_at", "updated_at", "stopped_at",
                "input_bytes", "output_bytes", "mcc_mnc", "country", "rat", "imei", "user_name", "framed_ip_address"
            )
            for session in sessions[start..<min(start + Self.rowsPerStatement, sessions.count)] {
                insert = insert.values(
                    SQLBind(session.nas), SQLBind(session.sessionID), SQLBind(session.simID.rawValue), bindOrNull(session.accountID?.rawValue),
                    SQLBind(session.clientAddress),
                    SQLBind(session.startedAt.stored), SQLBind(session.updatedAt.stored), bindOrNull(session.stoppedAt?.stored),
                    SQLBind(Int64(session.counters.inputBytes)), SQLBind(Int64(session.counters.outputBytes)),
                    bindOrNull(session.mccMNC), bindOrNull(session.country), bindOrNull(session.rat), bindOrNull(session.imei),
                    bindOrNull(session.userName), bindOrNull(session.framedIPAddress)
                )
            }
            try await insert.onConflict(with: ["nas", "session_id"]) { update in
                update
                    .set(excludedValueOf: "updated_at").set(excludedValueOf: "input_bytes").set(excludedValueOf: "output_bytes")
                    .set("stopped_at", to: SQLRaw("COALESCE(radius_sessions.stopped_at, excluded.stopped_at)"))
                    .set(excludedValueOf: "mcc_mnc").set(excludedValueOf: "country").set(excludedValueOf: "rat").set(excludedValueOf: "imei")
                    .set(excludedValueOf: "user_name").set(excludedValueOf: "framed_ip_address")
            }.run()
        }
    }

    /// Stops every open session of a gateway (Accounting-On/Off); returns the sessions stopped.
    @discardableResult
    public func stopAllSessions(nas: String, at time: Date, on db: any SQLDatabase) async throws -> [(key: SessionKey, simID: SimID)] {
        try await db.raw("""
            UPDATE radius_sessions SET stopped_at = \(bind: time.stored), updated_at = \(bind: time.stored)
            WHERE nas = \(bind: nas) AND stopped_at IS NULL RETURNING session_id, sim_id
            """).all().map { row in
                (SessionKey(nas: nas, sessionID: try row.string("session_id")), SimID(trusted: try row.string("sim_id")))
            }
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
            accountID: try row.optionalString("account_id").map(AccountID.init(trusted:)),
            clientAddress: try row.string("client_address"), startedAt: try row.date("started_at"), updatedAt: try row.date("updated_at"),
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

    // MARK: Records and totals

    /// What ``insert(_:now:on:)`` did with each record.
    public struct InsertOutcome: Sendable {
        /// Records that were new and now count in their totals.
        public var inserted: Set<String> = []
        /// Records that were new but would have carried a total past ``UsageByteLimits/maximum``:
        /// not stored, and counted nowhere.
        public var overflowing: Set<String> = []
    }

    /// Inserts records and adds the new ones to their SIMs' totals. A record whose source and
    /// sender id are already stored is a resend: it is skipped and adds nothing. A record that
    /// would carry a SIM's day or month total (for its country, or over all countries) past a
    /// signed 64-bit integer is refused, and so is any record that could not be stored as one.
    @discardableResult
    public func insert(_ records: [UsageRecord], now: Date, on db: any SQLDatabase) async throws -> InsertOutcome {
        var outcome = InsertOutcome()
        let storable = records.filter { $0.bytesUp <= UsageByteLimits.maximum && $0.bytesDown <= UsageByteLimits.maximum }
        outcome.overflowing = Set(records.map(\.id)).subtracting(storable.map(\.id))
        for start in stride(from: 0, to: storable.count, by: Self.rowsPerStatement) {
            var insert = db.insert(into: "usage_records").columns(
                "id", "sim_id", "account_id", "source", "sender_id", "session_id", "started_at", "ended_at",
                "bytes_up", "bytes_down", "mcc_mnc", "country", "rat", "imei", "created_at"
            )
            for record in storable[start..<min(start + Self.rowsPerStatement, storable.count)] {
                insert = insert.values(
                    SQLBind(record.id), SQLBind(record.simID.rawValue), bindOrNull(record.accountID?.rawValue), SQLBind(record.source),
                    bindOrNull(record.senderID), bindOrNull(record.sessionID), SQLBind(record.startedAt.stored), SQLBind(record.endedAt.stored),
                    SQLBind(Int64(record.bytesUp)), SQLBind(Int64(record.bytesDown)), bindOrNull(record.mccMNC), bindOrNull(record.country),
                    bindOrNull(record.rat), bindOrNull(record.imei), SQLBind(now.stored)
                )
            }
            for row in try await insert.ignoringConflicts().returning(SQLColumn("id")).all() {
                outcome.inserted.insert(try row.string("id"))
            }
        }
        let new = storable.filter { outcome.inserted.contains($0.id) }
        // A SIM's totals are read per country and across countries, so both must stay within
        // the limit: each row, and each SIM and period over all its countries.
        var rows = try await storedTotals(for: new, on: db)
        var acrossCountries: [UsageTotalKey.SimPeriod: (up: UInt64, down: UInt64)] = [:]
        for (row, bytes) in rows {
            let key = UsageTotalKey.SimPeriod(simID: row.simID, period: row.period)
            let sum = acrossCountries[key, default: (0, 0)]
            acrossCountries[key] = (sum.up.addingReportingOverflow(bytes.up).partialValue, sum.down.addingReportingOverflow(bytes.down).partialValue)
        }
        var added: [UsageTotalKey: (up: UInt64, down: UInt64)] = [:]
        var refused: [String] = []
        for record in new {
            let keys = Self.periodKeys(of: record.endedAt).map {
                UsageTotalKey(simID: record.simID, accountID: record.accountID, period: $0.period, granularity: $0.granularity, country: record.country ?? "")
            }
            func grown(_ current: (up: UInt64, down: UInt64)) -> (up: UInt64, down: UInt64)? {
                guard let up = UsageByteLimits.adding(record.bytesUp, to: current.up),
                      let down = UsageByteLimits.adding(record.bytesDown, to: current.down) else { return nil }
                return (up, down)
            }
            let rowTotals = keys.map { grown(rows[$0.row, default: (0, 0)]) }
            let simTotals = keys.map { grown(acrossCountries[$0.simPeriod, default: (0, 0)]) }
            guard !rowTotals.contains(where: { $0 == nil }), !simTotals.contains(where: { $0 == nil }) else {
                refused.append(record.id)
                continue
            }
            for (index, key) in keys.enumerated() {
                rows[key.row] = rowTotals[index]
                acrossCountries[key.simPeriod] = simTotals[index]
                added[key, default: (0, 0)].up += record.bytesUp
                added[key, default: (0, 0)].down += record.bytesDown
            }
        }
        if !refused.isEmpty {
            try await db.delete(from: "usage_records").where("id", .in, refused).run()
            outcome.inserted.subtract(refused)
            outcome.overflowing.formUnion(refused)
        }
        try await addToTotals(added, on: db)
        return outcome
    }

    /// The stored totals that `records` would add to, by SIM, period and country.
    private func storedTotals(for records: [UsageRecord], on db: any SQLDatabase) async throws -> [UsageTotalKey.Row: (up: UInt64, down: UInt64)] {
        var found: [UsageTotalKey.Row: (up: UInt64, down: UInt64)] = [:]
        let simIDs = Array(Set(records.map(\.simID.rawValue)))
        let periods = Array(Set(records.flatMap { Self.periods(of: $0.endedAt) }))
        guard !simIDs.isEmpty else { return found }
        for start in stride(from: 0, to: simIDs.count, by: Self.rowsPerStatement) {
            let rows = try await db.select().columns("sim_id", "period", "country", "bytes_up", "bytes_down").from("usage_totals")
                .where("sim_id", .in, Array(simIDs[start..<min(start + Self.rowsPerStatement, simIDs.count)]))
                .where("period", .in, periods).all()
            for row in rows {
                let key = UsageTotalKey.Row(simID: try row.string("sim_id"), period: try row.string("period"), country: try row.string("country"))
                found[key] = (try row.byteCount("bytes_up", table: "usage_totals"), try row.byteCount("bytes_down", table: "usage_totals"))
            }
        }
        return found
    }

    /// Adds to totals by upsert; each key appears once, as one statement may not touch a row twice.
    func addToTotals(_ totals: [UsageTotalKey: (up: UInt64, down: UInt64)], on db: any SQLDatabase) async throws {
        let all = totals.sorted { ($0.key.simID.rawValue, $0.key.period, $0.key.country) < ($1.key.simID.rawValue, $1.key.period, $1.key.country) }
        for start in stride(from: 0, to: all.count, by: Self.rowsPerStatement) {
            var insert = db.insert(into: "usage_totals").columns("sim_id", "account_id", "period", "granularity", "country", "bytes_up", "bytes_down")
            for (key, bytes) in all[start..<min(start + Self.rowsPerStatement, all.count)] {
                insert = insert.values(
                    SQLBind(key.simID.rawValue), bindOrNull(key.accountID?.rawValue), SQLBind(key.period), SQLBind(key.granularity.rawValue),
                    SQLBind(key.country), SQLBind(Int64(bytes.up)), SQLBind(Int64(bytes.down))
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
        periodKeys(of: time).map(\.period)
    }

    /// The day and the month (UTC) a record ending at `time` counts towards, each with its kind.
    static func periodKeys(of time: Date) -> [(period: String, granularity: UsageGranularity)] {
        let day = time.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day())
        return [(day, .day), (String(day.prefix(7)), .month)]
    }

    /// A SIM's total for a period key (`2026-11-22` or `2026-11`), all countries together.
    public func total(simID: SimID, period: String, on db: any SQLDatabase) async throws -> (up: UInt64, down: UInt64) {
        let rows = try await totals(UsageTotalsQuery(scope: .sim(simID), months: period.count == 7, from: period, to: period), on: db)
        var sum: (up: UInt64, down: UInt64) = (0, 0)
        for row in rows {
            // One SIM's countries never sum past the limit (insert guards it); if stored data
            // says otherwise, say so rather than wrap around.
            guard let up = UsageByteLimits.adding(row.up, to: sum.up), let down = UsageByteLimits.adding(row.down, to: sum.down) else {
                throw UsageTotalTooLarge(period: period)
            }
            sum = (up, down)
        }
        return sum
    }

    /// Totals by period (and by country when asked), oldest first.
    public func totals(_ query: UsageTotalsQuery, on db: any SQLDatabase) async throws -> [UsageTotal] {
        // Each stored total fits a BIGINT, but a sum of many may not: SQLite would fail (or turn
        // REAL) and PostgreSQL refuse the cast. Summing the high and low 32 bits apart cannot
        // overflow for fewer than 2^31 rows, and the halves are joined below with a check.
        var select = db.select().column("period").from("usage_totals")
            // PostgreSQL sums BIGINT into NUMERIC; the casts bring it back.
            .column(SQLRaw("CAST(SUM(bytes_up / 4294967296) AS BIGINT) AS up_high"))
            .column(SQLRaw("CAST(SUM(bytes_up % 4294967296) AS BIGINT) AS up_low"))
            .column(SQLRaw("CAST(SUM(bytes_down / 4294967296) AS BIGINT) AS down_high"))
            .column(SQLRaw("CAST(SUM(bytes_down % 4294967296) AS BIGINT) AS down_low"))
            .where("period", .greaterThanOrEqual, query.from).where("period", .lessThanOrEqual, query.to)
            // Days and months share the table; the range alone would mix them.
            .where("granularity", .equal, (query.months ? UsageGranularity.month : .day).rawValue)
            .groupBy("period").orderBy("period")
        switch query.scope {
        case .sim(let id): select = select.where("sim_id", .equal, id.rawValue)
        case .account(let id): select = select.where("account_id", .equal, id.rawValue)
        case .everyone: break
        }
        if let country = query.country { select = select.where("country", .equal, country) }
        if let account = query.account { select = select.where("account_id", .equal, account.rawValue) }
        if query.byCountry { select = select.column("country").groupBy("country").orderBy("country") }
        return try await select.all().map { row in
            let country = query.byCountry ? try row.string("country") : nil
            let period = try row.string("period")
            func joined(_ name: String) throws -> UInt64 {
                let high = try row.decode(column: name + "_high", as: Int64.self), low = try row.decode(column: name + "_low", as: Int64.self)
                let (shifted, overflow) = UInt64(high).multipliedReportingOverflow(by: 1 << 32)
                guard high >= 0, low >= 0, !overflow, let sum = UsageByteLimits.adding(UInt64(low), to: shifted) else {
                    throw UsageTotalTooLarge(period: period)
                }
                return sum
            }
            return UsageTotal(period: period, country: country.flatMap { $0.isEmpty ? nil : $0 }, up: try joined("up"), down: try joined("down"))
        }
    }
}

/// A sum of totals (over many SIMs or countries) passes a signed 64-bit integer, and cannot be
/// shown as one; a narrower query (one SIM, one country, a shorter range) can.
public struct UsageTotalTooLarge: Error, Sendable {
    public let period: String
}

extension SQLRow {
    /// A stored byte count, which is never negative.
    func byteCount(_ column: String, table: String) throws -> UInt64 {
        let value = try int64(column)
        guard let count = UInt64(exactly: value) else { throw StoreError.corruptRow(table: table, column: column, value: String(value)) }
        return count
    }
}
