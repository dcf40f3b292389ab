import Foundation
import Logging
import Prometheus
import SimGateCore
import SimGateRADIUS
import SimGateStore

/// The parts an app is built from, passed in so tests can supply their own clock or database.
public struct AppDependencies: Sendable {
    /// The database the app keeps its state in.
    public let database: SimGateDatabase
    /// The app's time; tests pass one they can step.
    public let clock: any WallClock
    /// Makes new ids, timed by `clock`.
    public let ids: IdentifierGenerator
    /// Where the app's Prometheus metrics live; `/metrics` emits it.
    public let registry: PrometheusCollectorRegistry
    /// Where the app and its services log.
    public let logger: Logger
    /// Shown the operator's key when the first start creates it. Default: print it.
    public let announceOperatorKey: @Sendable (String) -> Void
    /// Told each RADIUS port once it listens (useful when it was 0).
    public let announceRADIUSPort: @Sendable (RADIUSPortRole, Int) -> Void
    /// Rung when a request queues a job, so the scheduler starts it without waiting to poll.
    public let jobDoorbell = Doorbell()
    /// Handed the app's job scheduler once it is built (tests that run due jobs themselves).
    public let receiveScheduler: @Sendable (JobScheduler) -> Void
    /// Handed the app's webhook dispatcher once it is built (tests and benchmarks that await deliveries).
    public let receiveDispatcher: @Sendable (WebhookDispatcher) -> Void
    /// Handed the HTTP server's connection limit once it is built (tests that await closes).
    public let receiveConnectionLimit: @Sendable (HTTPConnectionLimit) -> Void
    /// Told of every request, reply and drop on each RADIUS port, besides the metrics.
    public let observeRADIUS: (@Sendable (RADIUSPortRole) -> (any RADIUSServerObserver)?)?

    /// The database and logger are required; everything else defaults to what production uses.
    public init(
        database: SimGateDatabase, clock: any WallClock = SystemWallClock(), registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        logger: Logger, announceOperatorKey: @escaping @Sendable (String) -> Void = OperatorKeyBanner.print,
        announceRADIUSPort: @escaping @Sendable (RADIUSPortRole, Int) -> Void = { _, _ in },
        receiveScheduler: @escaping @Sendable (JobScheduler) -> Void = { _ in },
        receiveDispatcher: @escaping @Sendable (WebhookDispatcher) -> Void = { _ in },
        receiveConnectionLimit: @escaping @Sendable (HTTPConnectionLimit) -> Void = { _ in },
        observeRADIUS: (@Sendable (RADIUSPortRole) -> (any RADIUSServerObserver)?)? = nil
    ) {
        self.receiveScheduler = receiveScheduler
        self.receiveDispatcher = receiveDispatcher
        self.receiveConnectionLimit = receiveConnectionLimit
        self.observeRADIUS = observeRADIUS
        self.announceRADIUSPort = announceRADIUSPort
        self.database = database
        self.clock = clock
        ids = IdentifierGenerator(clock: clock)
        self.registry = registry
        self.logger = logger
        self.announceOperatorKey = announceOperatorKey
    }
}

/// Prints the operator key once, where the person starting SimGate will see it.
public enum OperatorKeyBanner {
    /// Writes `key` to standard output in a banner that says it is shown once.
    public static func print(_ key: String) {
        // Written straight to the file descriptor: shown once, it must reach a log file or
        // pipe now, not whenever a buffer fills.
        FileHandle.standardOutput.write(Data("""

        ==================================================================
          SimGate created the operator account. Its API key is shown once:

            \(key)

          Keep it safe: only its hash is stored.
        ==================================================================


        """.utf8))
    }
}
