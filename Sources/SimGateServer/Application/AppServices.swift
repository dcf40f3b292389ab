import Crypto
import SimGateCore
import SimGateStore

/// The object graph of one running app, built once by the composition root and handed to
/// everything that needs it: the HTTP routes, the job handlers and the RADIUS ports.
struct AppServices: Sendable {
    /// The storage every service shares.
    let store: Store
    /// What can be done to SIMs.
    let sims: SimService
    /// Accounts and their API keys.
    let accounts: AccountService
    /// Reads the event log.
    let events: EventService
    /// Payment gateways and billing bindings.
    let payments: PaymentService
    /// Reads a SIM's sessions and usage totals.
    let usage: UsageService
    /// Database health and SIM counts for the operations routes.
    let system: SystemStatus
    /// Tariffs and who may use them.
    let tariffs: TariffService
    /// Activate On First Use: provisioning on tariffs, thresholds, bundles, shutdowns.
    let aofu: AOFUService
    /// OAuth clients and tokens of the Cellhire-compatible API.
    let apiClients: APIClientService
    /// Cellhire-compatible submissions and their tickets.
    let submissions: SubmissionService
    /// Webhook endpoints, deliveries and replays.
    let webhooks: WebhookEndpointService
    /// Automation rules.
    let rules: RuleService
    /// Dry runs of rules.
    let ruleTester: RuleTester
    /// Rule firings and delayed actions, as jobs.
    let ruleFirings: RuleFirings
    /// Seals and opens stored secrets.
    let secrets: SecretBox
    /// Monthly statements.
    let statements: StatementService
    /// The dashboard's templates; `nil` only if the build lacks its resources (then no dashboard).
    let dashboardPages: DashboardPages?
    /// How the dashboard's overview keeps its figures.
    let dashboardSettings: DashboardSettings
    /// Wakes the dashboard's live pages when this instance commits events or usage.
    let liveFeed = LiveFeed()
    /// API keys recently presented, with their accounts; forgotten on any revocation or
    /// account change this instance commits, and each after a second (another instance's
    /// revocation takes effect here within it).
    let principals: PrincipalCache
    /// Payment gateways webhooks recently arrived for; forgotten when this instance commits a
    /// gateway change, and each after a second (a change through another instance).
    let gateways: GatewayCache

    /// Builds every service over one ``Store`` on `dependencies`' database, clock and ids,
    /// and installs the store's append hooks: the webhook outbox and rule triggers.
    init(
        _ dependencies: AppDependencies, secrets: SecretBox = SecretBox(key: .init(size: .bits256)), webhooks settings: WebhookSettings = WebhookSettings(),
        statements statementSettings: StatementSettings = StatementSettings(), dashboard: DashboardSettings = DashboardSettings()
    ) {
        dashboardSettings = dashboard
        let store = Store(database: dependencies.database, ids: dependencies.ids, sealer: secrets)
        let (clock, ids) = (dependencies.clock, dependencies.ids)
        self.store = store
        principals = PrincipalCache(lifetime: 1, clock: clock)
        gateways = GatewayCache(lifetime: 1, clock: clock)
        // A SIM that changes hands leaves its subscriptions behind.
        sims = SimService(store: store, clock: clock, ids: ids, handover: [BillingBindings(clock: clock, ids: ids), RuleMemoryHandover()])
        accounts = AccountService(store: store, clock: clock, ids: ids)
        events = EventService(store: store)
        payments = PaymentService(store: store, clock: clock, ids: ids, sims: sims)
        usage = UsageService(store: store)
        system = SystemStatus(store: store)
        tariffs = TariffService(store: store, clock: clock)
        aofu = AOFUService(sims: sims)
        apiClients = APIClientService(store: store, clock: clock, ids: ids)
        submissions = SubmissionService(aofu: aofu)
        self.secrets = secrets
        statements = StatementService(store: store, clock: clock, ids: ids, settings: statementSettings)
        dashboardPages = try? DashboardPages()
        let allowed = (try? WebhookSettings.networks(parsing: settings.allowedNetworks).get()) ?? []
        self.webhooks = WebhookEndpointService(store: store, clock: clock, ids: ids, secrets: secrets, targets: WebhookTargetGuard(allowed: allowed))
        let usageRules = UsageRuleCache()
        rules = RuleService(store: store, clock: clock, ids: ids, usageRules: usageRules)
        ruleTester = RuleTester(store: store, clock: clock)
        let engine = RuleEngine(clock: clock)
        ruleFirings = RuleFirings(actions: RuleActions(sims: sims, aofu: aofu), engine: engine)
        store.hooks.install([WebhookFanOut(ids: ids), RuleEventTriggers(engine: engine)])
        store.hooks.install(usage: [UsageRuleTriggers(engine: engine, cache: usageRules)])
    }
}
