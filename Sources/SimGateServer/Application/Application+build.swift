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
    let secrets = try SecretsKey.box(for: configuration, logger: dependencies.logger)
    let parts = AppServices(dependencies, secrets: secrets, webhooks: configuration.webhooks, statements: configuration.statements, dashboard: configuration.dashboard)
    let (database, store, simOperations) = (dependencies.database, parts.store, parts.sims)
    let startup = StartupSignal()
    let allowedNetworks = try WebhookSettings.networks(parsing: configuration.webhooks.allowedNetworks).get()
    let dispatcher = WebhookDispatcher(
        store: store, box: secrets, settings: configuration.webhooks, allowed: allowedNetworks, clock: dependencies.clock,
        ids: dependencies.ids, logger: dependencies.logger, startup: startup, metrics: WebhookMetrics(registry: dependencies.registry)
    )
    dependencies.receiveDispatcher(dispatcher)
    // What a unit of work queued is started at once, not at the next poll.
    store.hooks.onCommit { [doorbell = dependencies.jobDoorbell, liveFeed = parts.liveFeed, principals = parts.principals, gateways = parts.gateways] work, touched in
        if work.contains(.credentials) { principals.forgetAll() }
        if work.contains(.paymentGateways) { gateways.forgetAll() }
        if work.contains(.webhookDeliveries) { dispatcher.wake() }
        if work.contains(.jobs) { doorbell.ring() }
        if !work.isDisjoint(with: [.events, .usage]) { liveFeed.announce(touched) }
    }
    let radiusClients = RADIUSClientTable(configuration.radius.clients)
    let radiusMetrics = RADIUSMetrics(registry: dependencies.registry)
    let scheduler = JobScheduler(
        queue: store.jobs,
        handlers: [
            IdempotencyPurge.handler(store: store.idempotency, queue: store.jobs, clock: dependencies.clock),
            GatewayEventApplier(payments: parts.payments).handler,
            PaymentHoldEvaluator(sims: simOperations).handler,
            parts.aofu.shutdownHandler,
            parts.submissions.handler,
        ] + parts.ruleFirings.handlers + [
            WebhookRetention.handler(store: store, clock: dependencies.clock),
            UsagePartitionMaintenance.handler(
                store: store, clock: dependencies.clock, retentionMonths: configuration.usageRetentionMonths, logger: dependencies.logger
            ),
            StatementFreezing.handler(statements: parts.statements, store: store, clock: dependencies.clock, logger: dependencies.logger),
            RADIUSDisconnector(
                store: store, clock: dependencies.clock, events: simOperations.events, clients: radiusClients,
                timeout: configuration.radius.disconnectTimeout, attempts: configuration.radius.disconnectAttempts,
                metrics: radiusMetrics, logger: dependencies.logger
            ).handler,
        ],
        clock: dependencies.clock, settings: configuration.scheduler, logger: dependencies.logger, startup: startup,
        doorbell: dependencies.jobDoorbell
    )
    dependencies.receiveScheduler(scheduler)
    var services: [any Service] = configuration.scheduler.runsInBackground ? [database, scheduler] : [database]
    if configuration.webhooks.runsInBackground { services.append(dispatcher) }
    if configuration.radius.enabled {
        let radius = configuration.radius
        let accounting = RADIUSAccountingHandler(
            sims: simOperations, startup: startup, metrics: radiusMetrics, logger: dependencies.logger, commitDelay: configuration.radius.accountingCommitDelay
        )
        // Before the ports, so it stops after them: what they hand it is still written.
        services.append(accounting.batcher)
        services.append(RADIUSServer(
            host: radius.host, port: radius.authenticationPort, role: .authentication, clients: radiusClients,
            handler: RADIUSAccessHandler(
                store: store, reader: store.reservedReader(name: "SimGate SQLite Access-Requests"), interimInterval: radius.interimInterval,
                startup: startup
            ),
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
    let connectionLimit = HTTPConnectionLimit(maximum: configuration.http.maximumConnections)
    dependencies.receiveConnectionLimit(connectionLimit)
    var app = Application(
        router: buildRouter(dependencies, parts: parts),
        server: .http1(configuration: .init(
            additionalChannelHandlers: [
                connectionLimit.handler(),
                HTTPConnectClose(),
                HTTPRequestReadDeadline(deadline: .nanoseconds(Int64(configuration.http.requestReadTimeout * 1_000_000_000))),
            ],
            idleTimeout: .nanoseconds(Int64(configuration.http.idleTimeout * 1_000_000_000))
        )),
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
        try await ClockCheck.warnIfBehind(store: store, clock: dependencies.clock, logger: dependencies.logger)
        try await IdempotencyPurge.schedule(on: store.jobs, after: dependencies.clock.now(), clock: dependencies.clock)
        try await IdleScan.schedule(on: store.jobs, after: dependencies.clock.now())
        try await WebhookRetention.schedule(on: store.jobs, after: dependencies.clock.now())
        try await UsagePartitionMaintenance.schedule(on: store.jobs, after: dependencies.clock.now())
        try await StatementFreezing.schedule(on: store.jobs, after: dependencies.clock.now())
        startup.open()
    }
    return app
}

/// Builds the router: system routes at the root, the authenticated API under `/v1`.
public func buildRouter(_ dependencies: AppDependencies) -> Router<SimGateRequestContext> {
    buildRouter(dependencies, parts: AppServices(dependencies))
}
