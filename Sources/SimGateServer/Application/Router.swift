import Hummingbird
import SimGateCore
import SimGateStore

/// The router over parts already built (by ``buildApplication(_:dependencies:)``).
func buildRouter(_ dependencies: AppDependencies, parts: AppServices) -> Router<SimGateRequestContext> {
    // Every GET route answers HEAD too (RFC 9110 requires it of a general-purpose server):
    // its headers without the body. A load balancer's `HEAD /health` got 405.
    let router = Router(context: SimGateRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: RequestMetricsMiddleware(registry: dependencies.registry))
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: ContentEncodingMiddleware())
    let routeTable = RouteTable()
    router.add(middleware: MethodNotAllowedMiddleware(table: routeTable))
    SystemController(status: parts.system, registry: dependencies.registry).addRoutes(to: router)

    let idempotency = IdempotencyLayer(store: parts.store.idempotency, clock: dependencies.clock)
    let simOperations = parts.sims
    let api = router.group("v1").add(middleware: AuthenticationMiddleware(store: parts.store, recent: parts.principals))
        .add(middleware: WriteQueryMiddleware())
    AccountsController(operations: parts.accounts, idempotency: idempotency).addRoutes(to: api)
    SimsController(operations: simOperations, billing: parts.payments, events: parts.events, idempotency: idempotency).addRoutes(to: api)
    EventsController(events: parts.events).addRoutes(to: api)
    UsageController(sims: simOperations, usage: parts.usage, idempotency: idempotency).addRoutes(to: api)

    PaymentsController(operations: parts.payments, idempotency: idempotency).addRoutes(to: api)
    TariffsController(tariffs: parts.tariffs, idempotency: idempotency).addRoutes(to: api)
    AOFUController(aofu: parts.aofu, idempotency: idempotency).addRoutes(to: api)
    APIClientsController(clients: parts.apiClients, idempotency: idempotency).addRoutes(to: api)
    WebhooksController(endpoints: parts.webhooks, idempotency: idempotency).addRoutes(to: api)
    RulesController(rules: parts.rules, tester: parts.ruleTester, idempotency: idempotency).addRoutes(to: api)
    StatementsController(statements: parts.statements).addRoutes(to: api)

    // The Cellhire-compatible surface: OAuth tokens, then submissions with a token.
    TokenController(clients: parts.apiClients).addRoutes(to: router)
    let cellhire = router.group("api/simSubmission").add(middleware: ClientAuthenticationMiddleware(clients: parts.apiClients))
    SubmissionsController(submissions: parts.submissions, idempotency: idempotency).addRoutes(to: cellhire)
    WebhookController(
        receiver: WebhookReceiver(
            store: parts.store, clock: dependencies.clock, ids: dependencies.ids, doorbell: dependencies.jobDoorbell, gateways: parts.gateways
        )
    ).addRoutes(to: router)
    if let pages = parts.dashboardPages {
        let dashboardSessions = DashboardSessions(store: parts.store, clock: dependencies.clock, feed: parts.liveFeed)
        let simPage = DashboardSimPage(
            sims: parts.sims, events: parts.events, usage: parts.usage, payments: parts.payments, store: parts.store, clock: dependencies.clock
        )
        DashboardController(
            sessions: dashboardSessions, pages: pages, overview: DashboardOverview(
                store: parts.store, endpoints: parts.webhooks, statements: parts.statements, clock: dependencies.clock,
                cache: FleetFiguresCache(maximumAge: parts.dashboardSettings.figuresMaximumAge), settings: parts.dashboardSettings
            ),
            simList: DashboardSimList(sims: parts.sims),
            sections: [
                DashboardPaymentsSection(payments: parts.payments, directory: DashboardOperatorAccountDirectory(accounts: parts.accounts)),
                DashboardStatementsSection(statements: parts.statements, directory: DashboardOperatorAccountDirectory(accounts: parts.accounts)),
                DashboardOperatorSection(
                    content: DashboardOperatorContent(accounts: parts.accounts, tariffs: parts.tariffs, directory: DashboardOperatorAccountDirectory(accounts: parts.accounts)),
                    accounts: parts.accounts, stockImport: StockCSVImport(sims: parts.sims)
                ),
                DashboardSimSection(page: simPage, aofu: parts.aofu, live: DashboardLiveStream(
                    simPage: simPage, feed: parts.liveFeed, sessions: dashboardSessions, slots: LiveStreamSlots(),
                    pollInterval: dependencies.database.engine == .sqlite ? DashboardLiveStream.ownDatabasePollInterval : DashboardLiveStream.sharedDatabasePollInterval
                ), pages: pages),
                DashboardRulesSection(rules: parts.rules, tester: parts.ruleTester, endpoints: parts.webhooks, store: parts.store),
                DashboardEndpointsSection(endpoints: parts.webhooks),
            ]
        ).addRoutes(to: router)
    }
    routeTable.load(router.routes.map { (path: $0.path.description, method: $0.method.rawValue) })
    return router
}
