import Foundation
import SimGateCore
import Logging
import SQLKit

/// Brings the schema up to date at start-up.
///
/// Each migration runs in its own transaction together with its row in `schema_migrations`. On
/// PostgreSQL an advisory lock makes instances that start together take turns, so each
/// migration runs once.
public struct Migrator: Sendable {
    private let database: SimGateDatabase
    private let logger: Logger

    /// Every schema version this build knows, in order.
    public static var versions: [Int] { Schema.migrations.map(\.version) }

    /// The time each migration is recorded as applied at.
    private let clock: any WallClock

    /// A migrator for `database`; `clock` stamps each migration's `applied_at`.
    public init(database: SimGateDatabase, logger: Logger, clock: any WallClock = SystemWallClock()) {
        self.clock = clock
        self.database = database
        self.logger = logger
    }

    /// What a database holds before any migration touches it.
    public enum ExistingSchema: Sendable, Equatable {
        /// No table at all: a new SQLite file, or an empty PostgreSQL schema.
        case empty
        /// SimGate's schema (its `schema_migrations` table).
        case simGate
        /// Tables, none of them SimGate's: another application's database.
        case foreign(tables: [String])

        /// What a database holding `tables` is.
        public init(tables: [String]) {
            if tables.isEmpty {
                self = .empty
            } else {
                self = tables.contains("schema_migrations") ? .simGate : .foreign(tables: tables.sorted())
            }
        }
    }

    /// Reads which tables the database (on PostgreSQL, its current schema) holds, without
    /// changing anything: the command line checks it before migrating a database it was pointed
    /// at, which it would otherwise turn into a SimGate database whatever it held. (An SQLite
    /// file is better read with ``SQLiteSchemaProbe``, before SimGate's connections open it.)
    public func existingSchema() async throws -> ExistingSchema {
        let tables = try await database.sqlRead { db in
            let query: SQLQueryString = database.engine == .postgres
                ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()"
                : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            return try await db.raw(query).all().map { try $0.decode(column: "name", as: String.self) }
        }
        return ExistingSchema(tables: tables)
    }

    /// Applies every migration not applied yet (up to `lastVersion`, when given: tests build
    /// an older schema with it); returns the versions it applied.
    @discardableResult
    public func migrate(upTo lastVersion: Int = .max) async throws -> [Int] {
        try await database.sqlTransaction { db in
            // Concurrent CREATE TABLE IF NOT EXISTS can still collide on PostgreSQL's catalog.
            try await lockAgainstOtherInstances(db)
            try await db.raw("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)").run()
            // A newer build migrated this database: this one's code would read and write tables
            // it does not know the shape of (say, an instance restarted on its old build midway
            // through an upgrade of the others).
            let newest = try await db.raw("SELECT MAX(version) AS newest FROM schema_migrations").all().first?.decode(column: "newest", as: Int?.self) ?? nil
            if let newest, let known = Self.versions.last, newest > known {
                throw StoreError.invalidConfiguration(
                    "The database's schema is at version \(newest), newer than this build's \(known); run a SimGate build at least as new"
                )
            }
        }
        var applied: [Int] = []
        for migration in Schema.migrations where migration.version <= lastVersion {
            let didApply = try await database.sqlTransaction { db -> Bool in
                try await lockAgainstOtherInstances(db)
                let rows = try await db.raw("SELECT version FROM schema_migrations WHERE version = \(bind: migration.version)").all()
                guard rows.isEmpty else { return false }
                for statement in migration.statements + (database.engine == .postgres ? migration.postgresStatements : migration.sqliteStatements) {
                    try await db.raw(SQLQueryString(statement)).run()
                }
                try await db.raw("""
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: clock.now().epochMilliseconds))
                    """).run()
                return true
            }
            if didApply {
                logger.info("Applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                applied.append(migration.version)
            }
        }
        try await finishAfterCommit(upTo: lastVersion)
        return applied
    }

    /// Runs the after-commit statements of every applied migration that has some (SQLite only).
    private func finishAfterCommit(upTo lastVersion: Int) async throws {
        let pending = Schema.migrations.filter { $0.version <= lastVersion && !$0.sqliteAfterCommit.isEmpty }
        guard database.engine == .sqlite, !pending.isEmpty else { return }
        let done = try await database.sqlRead { db in
            try await db.raw("SELECT version FROM schema_migrations").all().map { try $0.decode(column: "version", as: Int.self) }
        }
        // Each statement on its own, outside any transaction: in one (even a transaction of
        // that statement alone), SQLite keeps a copy of every page a DROP TABLE frees in memory.
        for migration in pending where done.contains(migration.version) {
            for statement in migration.sqliteAfterCommit {
                try await database.sqlRead { db in try await db.raw(SQLQueryString(statement)).run() }
            }
        }
    }

    /// On PostgreSQL, takes a lock held until the transaction ends, so a second instance
    /// migrating the same schema waits here; deployments in other schemas of the same
    /// database do not (the lock is keyed by the schema). SQLite's write transaction is
    /// already exclusive.
    private func lockAgainstOtherInstances(_ db: any SQLDatabase) async throws {
        if database.engine == .postgres {
            try await db.raw("SELECT pg_advisory_xact_lock(7351001, hashtext(current_schema()))").run()
        }
    }
}
