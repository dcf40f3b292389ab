import SimGateCore
import SQLKit

/// One unit of work: a repository per aggregate, all on the same connection, so everything
/// done through them commits together or not at all.
public struct StoreTransaction: Sendable {
    /// The connection, inside the unit of work's transaction, that every repository shares.
    let db: any SQLDatabase
    /// Names the rows this unit of work creates itself (jobs).
    let ids: IdentifierGenerator
    /// Run after events are appended.
    let hooks: StoreHooks
    /// What this unit of work queued, told to the hooks' listener once it commits.
    let record: UnitOfWorkRecord
    /// Seals the secrets repositories keep readable.
    let sealer: (any SecretSealer)?

    /// A unit of work on a connection the caller opened (tests that mix in their own SQL).
    package init(db: any SQLDatabase, ids: IdentifierGenerator) {
        self.init(db: db, ids: ids, hooks: StoreHooks(), record: UnitOfWorkRecord(), sealer: nil)
    }

    /// A unit of work that runs `hooks` on appended events and notes what it queues in `record`.
    init(db: any SQLDatabase, ids: IdentifierGenerator, hooks: StoreHooks, record: UnitOfWorkRecord, sealer: (any SecretSealer)?) {
        self.db = db
        self.ids = ids
        self.hooks = hooks
        self.record = record
        self.sealer = sealer
    }

    /// SIMs with their labels and holds.
    public var sims: SimRepository { SimRepository(db: db) }
    /// Customer and operator accounts.
    public var accounts: AccountRepository { AccountRepository(db: db, record: record) }
    /// API keys (their secrets only as hashes).
    public var apiKeys: APIKeyRepository { APIKeyRepository(db: db, record: record) }
    /// The event log.
    public var events: EventRepository { EventRepository(db: db, transaction: self) }
    /// Payment gateways and their webhook secrets.
    public var gateways: PaymentGatewayRepository { PaymentGatewayRepository(db: db, sealer: sealer, record: record) }
    /// Subscriptions bound to SIMs, with what each has paid for.
    public var bindings: BillingBindingRepository { BillingBindingRepository(db: db) }
    /// Webhook deliveries received from gateways.
    public var gatewayEvents: GatewayEventRepository { GatewayEventRepository(db: db) }
    /// RADIUS accounting sessions.
    public var sessions: SessionRepository { SessionRepository(db: db) }
    /// Usage records and totals.
    public var usage: UsageRepository { UsageRepository(db: db) }
    /// The monthly partitions of usage records (PostgreSQL).
    public var usagePartitions: UsagePartitionRepository { UsagePartitionRepository(db: db) }
    /// Tariffs and the accounts they are offered to.
    public var tariffs: TariffRepository { TariffRepository(db: db) }
    /// OAuth clients of the Cellhire-compatible API and their tokens.
    public var apiClients: APIClientRepository { APIClientRepository(db: db) }
    /// Submission tickets of the Cellhire-compatible API.
    public var tickets: TicketRepository { TicketRepository(db: db) }
    /// Jobs queued as part of this unit of work.
    public var jobs: JobRepository { JobRepository(db: db, ids: ids, record: record) }
    /// Webhook endpoints, the deliveries queued for them, and each attempt.
    public var webhooks: WebhookRepository { WebhookRepository(db: db, engine: DatabaseEngine(dialect: db.dialect.name), record: record) }
    /// Dashboard sign-ins.
    public var dashboardSessions: DashboardSessionRepository { DashboardSessionRepository(db: db) }
    /// The counts the dashboard's overview shows.
    public var fleetOverview: FleetOverviewRepository { FleetOverviewRepository(db: db) }
    /// Each SIM's periods under the same billing terms.
    public var simPeriods: SimPeriodRepository { SimPeriodRepository(db: db) }
    /// Frozen statements of closed months.
    public var statements: StatementRepository { StatementRepository(db: db) }
    /// Automation rules and, per rule and SIM, when each fired.
    public var rules: RuleRepository { RuleRepository(db: db, record: record) }
}

extension StoreTransaction {
    /// What `load` gives, read once per unit of work under `key`: for hooks that run on every
    /// append of a bulk action. Writing endpoints or rules in the unit of work forgets it all.
    public func remembered<T: Sendable>(_ key: String, _ load: () async throws -> T) async throws -> T {
        if let known = record.remembered(key, as: T.self) { return known }
        let value = try await load()
        record.remember(value, as: key)
        return value
    }

    /// Runs the store's usage hooks on `records`, once the caller has written them and what
    /// they change.
    public func usageRecorded(_ records: [UsageRecord]) async throws {
        guard !records.isEmpty else { return }
        record.note(.usage)
        record.noteTouched(records.lazy.map(\.accountID))
        for hook in hooks.usageHooks { try await hook.usageRecorded(records, in: self) }
    }

    /// Asks the database the cheapest question it answers; throws if it does not.
    public func ping() async throws {
        _ = try await db.raw("SELECT 1 AS ok").all()
    }
}
