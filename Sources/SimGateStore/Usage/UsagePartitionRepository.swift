import Foundation
import SimGateCore
import SQLKit

/// The monthly partitions of `usage_records` on PostgreSQL (see migration 16): made ahead,
/// and dropped whole once past retention. Usage totals are kept apart and never dropped.
public struct UsagePartitionRepository: Sendable {
    /// The connection (inside its transaction) every statement here runs on.
    let db: any SQLDatabase

    /// A calendar month in UTC.
    public struct Month: Hashable, Sendable, Comparable {
        /// The year, such as 2027.
        public let year: Int
        /// The month, 1 to 12.
        public let month: Int

        /// The month `time` falls in.
        public init(containing time: Date) {
            let parts = Self.calendar.dateComponents([.year, .month], from: time)
            year = parts.year ?? 1970
            month = parts.month ?? 1
        }

        init(year: Int, month: Int) {
            self.year = year
            self.month = month
        }

        /// The month `count` months after this one (before it, for a negative count).
        public func adding(_ count: Int) -> Month {
            let index = year * 12 + (month - 1) + count
            return Month(year: index / 12, month: index % 12 + 1)
        }

        /// Its first instant, in epoch milliseconds.
        public var start: Int64 {
            Self.calendar.date(from: DateComponents(year: year, month: month, day: 1))!.epochMilliseconds
        }

        /// The partition's table name, `usage_records_YYYY_MM`.
        public var tableName: String { String(format: "usage_records_%04d_%02d", year, month) }

        /// The month a partition's table name names, if it is one.
        init?(tableName: String) {
            let parts = tableName.split(separator: "_")
            guard parts.count == 4, parts[0] == "usage", parts[1] == "records", parts[2].count == 4, parts[3].count == 2,
                  let year = Int(parts[2]), let month = Int(parts[3]), (1...12).contains(month)
            else { return nil }
            self.init(year: year, month: month)
        }

        public static func < (lhs: Month, rhs: Month) -> Bool { (lhs.year, lhs.month) < (rhs.year, rhs.month) }

        private static let calendar: Calendar = {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            return calendar
        }()
    }

    /// Makes the partition for `month` unless it exists. Fails (and makes nothing) when the
    /// default partition already holds records of that month.
    public func create(_ month: Month) async throws {
        try await waitBriefly()
        try await db.raw("""
            CREATE TABLE IF NOT EXISTS \(unsafeRaw: month.tableName) PARTITION OF usage_records
            FOR VALUES FROM (\(unsafeRaw: String(month.start))) TO (\(unsafeRaw: String(month.adding(1).start)))
            """).run()
    }

    /// The months that have a partition, oldest first.
    public func months() async throws -> [Month] {
        let rows = try await db.raw("""
            SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'usage_records'::regclass
            """).all()
        return try rows.compactMap { Month(tableName: try $0.string("name")) }.sorted()
    }

    /// Drops the partition of `month`, with its records.
    public func drop(_ month: Month) async throws {
        try await waitBriefly()
        try await db.raw("DROP TABLE IF EXISTS \(unsafeRaw: month.tableName)").run()
    }

    /// Making or dropping a partition locks `usage_records` whole, and while it waits for that
    /// lock (behind a long read, say) every later read and write of usage queues behind it:
    /// accounting would stall. So it waits at most a second, for this transaction only, and
    /// fails rather than hold others up; the daily job tries again.
    /// (`DETACH PARTITION ... CONCURRENTLY` would avoid the lock, but PostgreSQL refuses it on
    /// a table with a default partition.)
    private func waitBriefly() async throws {
        try await db.raw("SET LOCAL lock_timeout = '1s'").run()
    }

    /// Forgets, 10,000 at a time, the default partition's records that ended before `cut`;
    /// how many went. Sender keys stay: a resend of a dropped record must still be refused,
    /// not counted again, and only usage sent through the API has them.
    public func forget(endedBefore cut: Date, limit: Int = 10_000) async throws -> Int {
        try await db.raw("""
            DELETE FROM usage_records_default WHERE id IN (
                SELECT id FROM usage_records_default WHERE ended_at < \(bind: cut.stored) LIMIT \(bind: limit))
            RETURNING 1 AS gone
            """).all().count
    }
}
