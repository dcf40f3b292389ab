import Hummingbird
import Logging
import ServiceLifecycle
import SimGateRADIUS
import SimGateCore
import SimGateStore

/// Builds the whole SimGate application: HTTP server, database and job scheduler as services
/// of one group, with migrations (and the operator's first key) before the server accepts
/// requests.
public func buildApplication(_ configuration: AppConfiguration, dependencies: AppDependencies) async throws -> some ApplicationProtocol {
    let parts = AppParts(dependencies)
    let (database, queue, idempotencyStore, simOperations) = (parts.database, parts.queue, parts.idempotencyStore, parts.sims)
    let startup = StartupSignal()
    let radiusClients = RADIUSClientTable(configuration.radius.clients)
    let applier = GatewayEventApplier(sims: simOperations, queue: queue)
    let radiusMetrics = RADIUSMetrics(registry: dependencies.registry)
    let scheduler = JobScheduler(
        queue: queue,
        handlers: [
            IdempotencyPurge.handler(store: idempotencyStore, queue: queue, clock: dependencies.clock),
            applier.handler,
            PaymentHoldEvaluator(sims: simOperations, queue: queue).handler,
            RADIUSDisconnector(
                sims: simOperations, clients: radiusClients,
                timeout: configuration.radius.disconnectTimeout, attempts: configuration.radius.disconnectAttempts,
                metrics: radiusMetrics, logger: dependencies.logger
            ).handler,
        ],
        clock: dependencies.clock, settings: configuration.scheduler, logger: dependencies.logger, startup: startup,
        doorbell: dependencies.jobDoorbell
    )
    dependencies.receiveScheduler(scheduler)
    var services: [any Service] = configuration.scheduler.runsInBackground ? [database, scheduler] : [database]
    if configuration.radius.enabled {
        let radius = configuration.radius
        let accounting = RADIUSAccountingHandler(sims: simOperations, startup: startup, metrics: radiusMetrics, logger: dependencies.logger)
        // Before the ports, so it stops after them: what they hand it is still written.
        services.append(accounting.batcher)
        services.append(RADIUSServer(
            host: radius.host, port: radius.authenticationPort, role: .authentication, clients: radiusClients,
            handler: RADIUSAccessHandler(database: database, interimInterval: radius.interimInterval, startup: startup),
            logger: dependencies.logger, observer: radiusMetrics.server(.authentication, alongside: dependencies.observeRADIUS?(.authentication)),
            onListening: { dependencies.announceRADIUSPort(.authentication, $0) }
        ))
        services.append(RADIUSServer(
            host: radius.host, port: radius.accountingPort, role: .accounting, clients: radiusClients,
            handler: accounting,
            logger: dependencies.logger, observer: radiusMetrics.server(.accounting, alongside: dependencies.observeRADIUS?(.accounting)),
            onListening: { dependencies.announceRADIUSPort(.accounting, $0) }
        ))
    }
    var app = Application(
        router: buildRouter(dependencies, parts: parts),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "SimGate"),
        // The database is listed first so it stops last: it outlives everything that uses it.
        services: services,
        onServerRunning: { _ in
            // Only once the HTTP port is ours: a start that cannot bind must not have made
            // (and shown) an operator key that then belongs to a server that never ran.
            guard configuration.bootstrapOperator else { return }
            do {
                if let key = try await parts.accounts.bootstrapOperatorOnce() { dependencies.announceOperatorKey(key) }
            } catch {
                dependencies.logger.error("Could not create the operator account", metadata: ["error": "\(error)"])
            }
        },
        logger: dependencies.logger
    )
    app.beforeServerStarts {
        try await Migrator(database: database, logger: dependencies.logger, clock: dependencies.clock).migrate()
        try await IdempotencyPurge.schedule(on: queue, after: dependencies.clock.now(), clock: dependencies.clock)
        startup.open()
    }
    return app
}

/// Builds the router: system routes at the root, the authenticated API under `/v1`.
public func buildRouter(_ dependencies: AppDependencies) -> Router<SimGateRequestContext> {
    buildRouter(dependencies, parts: AppParts(dependencies))
}

/// The router over parts already built (by ``buildApplication(_:dependencies:)``).
func buildRouter(_ dependencies: AppDependencies, parts: AppParts) -> Router<SimGateRequestContext> {
    let database = parts.database
    let router = Router(context: SimGateRequestContext.self)
    router.add(middleware: RequestMetricsMiddleware(registry: dependencies.registry))
    router.add(middleware: ProblemMiddleware())
    let routeTable = RouteTable()
    router.add(middleware: MethodNotAllowedMiddleware(table: routeTable))
    SystemController(database: database, registry: dependencies.registry).addRoutes(to: router)

    let idempotency = IdempotencyLayer(store: parts.idempotencyStore, clock: dependencies.clock)
    let simOperations = parts.sims
    let api = router.group("v1").add(middleware: AuthenticationMiddleware(database: database))
    AccountsController(operations: parts.accounts, idempotency: idempotency).addRoutes(to: api)
    SimsController(operations: simOperations, idempotency: idempotency).addRoutes(to: api)
    EventsController(database: database, sims: simOperations).addRoutes(to: api)
    UsageController(sims: simOperations, idempotency: idempotency).addRoutes(to: api)

    let queue = parts.queue
    PaymentsController(operations: PaymentOperations(sims: simOperations, queue: queue), idempotency: idempotency).addRoutes(to: api)
    WebhookController(
        receiver: WebhookReceiver(database: database, clock: dependencies.clock, ids: dependencies.ids, queue: queue, doorbell: dependencies.jobDoorbell)
    ).addRoutes(to: router)
    routeTable.load(router.routes.map { (path: $0.path.description, method: $0.method.rawValue) })
    return router
}
