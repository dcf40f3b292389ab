import SimGateCore

/// The storage seam: every read and write SimGate makes goes through a unit of work opened
/// here, and the same code runs on SQLite and PostgreSQL.
///
/// ```swift
/// let sim = try await store.transaction { tx in
///     let sim = try await tx.sims.find(id, accountID: nil, forUpdate: true)
///     try await tx.events.append(events)
///     return sim
/// }
/// ```
public struct Store: Sendable {
    /// The database underneath, a `Service` the app runs (and stops last).
    public let database: SimGateDatabase
    let ids: IdentifierGenerator
    /// What runs inside every unit of work that appends events, and who hears of commits.
    public let hooks: StoreHooks
    /// Seals the secrets repositories keep readable; `nil` keeps them as given (tests only).
    let sealer: (any SecretSealer)?

    /// A store over `database`; `ids` names the rows the store itself creates (jobs), and
    /// `sealer` seals the secrets it stores.
    public init(database: SimGateDatabase, ids: IdentifierGenerator, hooks: StoreHooks = StoreHooks(), sealer: (any SecretSealer)? = nil) {
        self.database = database
        self.ids = ids
        self.hooks = hooks
        self.sealer = sealer
    }

    /// Which engine the store runs on.
    public var engine: DatabaseEngine { database.engine }

    /// Runs `body` in one write transaction: all of it is committed, or none of it if it throws.
    public func transaction<T: Sendable>(_ body: (StoreTransaction) async throws -> T) async throws -> T {
        let claim = IdempotencyClaim.current
        let (result, noted) = try await database.sqlTransaction { db in
            let record = UnitOfWorkRecord(group: (db as? SQLiteHandleDatabase)?.groupReads)
            let result = try await body(StoreTransaction(db: db, ids: ids, hooks: hooks, record: record, sealer: sealer))
            // A request with an Idempotency-Key commits its work and the mark that it did together.
            if let claim { try await IdempotencyStore.recordEffect(of: claim, on: db) }
            return (result, (record.noted, record.touchedAccounts))
        }
        hooks.committed(noted.0, touching: noted.1)
        return result
    }

    /// Runs `body` on one connection with no write transaction, for reads.
    public func read<T: Sendable>(_ body: (StoreTransaction) async throws -> T) async throws -> T {
        try await database.sqlRead { db in try await body(StoreTransaction(db: db, ids: ids, hooks: hooks, record: UnitOfWorkRecord(), sealer: sealer)) }
    }

    /// Runs `body` for reads on `reader`'s own connection, in place on the calling thread (see
    /// ``ReservedReader``).
    public func read<T: Sendable>(on reader: ReservedReader, _ body: (StoreTransaction) async throws -> T) async throws -> T {
        try await database.sqlRead(on: reader) { db in try await body(StoreTransaction(db: db, ids: ids, hooks: hooks, record: UnitOfWorkRecord(), sealer: sealer)) }
    }

    /// A read connection of its own for one caller.
    public func reservedReader(name: String) -> ReservedReader { database.reservedReader(name: name) }

    /// The durable job queue, whose claims run in transactions of their own.
    public var jobs: JobQueue { JobQueue(database: database, ids: ids) }

    /// The webhook deliveries' queue, which the dispatcher claims from.
    public var webhookOutbox: WebhookOutbox { WebhookOutbox(store: self) }

    /// The `Idempotency-Key` ledger, whose claims run in transactions of their own.
    public var idempotency: IdempotencyStore { IdempotencyStore(database: database) }
}
