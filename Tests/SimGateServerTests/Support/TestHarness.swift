import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SimGateCore
import SimGateRADIUS
import SimGateServer
import SimGateStore
import SimGateTestSupport
import Synchronization
import Testing

/// A real SimGate on loopback, over a fresh database of one engine, with the operator key
/// it printed at first start, a clock tests can move, and a client that speaks JSON.
struct TestHarness: Sendable {
    let client: any TestClientProtocol
    let operatorKey: String
    let clock: ManualWallClock
    let database: SimGateDatabase
    /// Where the database is, for a second instance or a restart over the same data.
    let databaseConfiguration: DatabaseConfiguration
    /// The RADIUS authentication port the app listens on (a free one picked for the test).
    let radiusPort: Int
    /// The RADIUS accounting port.
    let radiusAccountingPort: Int
    /// A customer account made at start, that ``importSims(_:account:stock:labels:)`` gives
    /// SIMs to unless told otherwise.
    let fleetAccount: String
    /// The app's job scheduler, which does not run by itself here: ``settle()`` runs what is due.
    let scheduler: JobScheduler
    /// What both RADIUS ports answered or dropped, to await.
    let radius: RADIUSTally
    /// The app's webhook dispatcher; unless a test turns it on in the background,
    /// ``deliverWebhooks()`` sends what is due.
    let dispatcher: WebhookDispatcher
    /// The HTTP server's connection limit, to await its count.
    let connections: HTTPConnectionLimit
    /// The RADIUS shared secret of the test's gateway on 127.0.0.1.
    static let radiusSecret = "harness-radius-secret"

    /// Starts the app, runs `body`, stops the app.
    static func run(
        _ engine: TestEngine, configure: (inout AppConfiguration) -> Void = { _ in }, restarting earlier: TestHarness? = nil, logger: Logger? = nil,
        _ body: @escaping @Sendable (TestHarness) async throws -> Void
    ) async throws {
        let clock = ManualWallClock()
        if let earlier { clock.set(earlier.clock.now()) }
        let announced = Mutex<String?>(earlier?.operatorKey)
        var configuration = AppConfiguration()
        configuration.port = 0
        if let earlier {
            configuration.database = earlier.databaseConfiguration
        } else {
            configuration.database = try await TestDatabase.freshConfiguration(engine)
        }
        // Jobs run when a test says so (settle), at the time its clock says: nothing happens
        // behind a test's back, and nothing has to be waited for by polling.
        configuration.scheduler.runsInBackground = false
        // Port 0 everywhere: tests run in parallel and must never compete for 1812.
        configuration.radius.authenticationPort = 0
        configuration.radius.accountingPort = 0
        configuration.radius.clients = [RADIUSClient(name: "test-pgw", address: "127.0.0.1", secret: radiusSecret)]
        // The tests' webhook receivers listen on loopback, which deliveries refuse by default.
        configuration.webhooks.allowedNetworks = ["127.0.0.0/8", "::1"]
        configuration.webhooks.runsInBackground = false
        configuration.webhooks.timeout = 10
        // Tests read the overview's figures as soon as they are worked out, however loaded the machine.
        configuration.dashboard.figuresWait = 30
        configuration.dashboard.figuresMaximumAge = 0
        // One key for every run, so that an app restarted over the same database opens its secrets.
        configuration.secretsKey = "c2ltZ2F0ZS10ZXN0LXNlY3JldHMta2V5LTMyYnl0ZXM="
        configure(&configuration)
        let radiusPorts = Mutex<[RADIUSPortRole: Int]>([:])
        let scheduler = Mutex<JobScheduler?>(nil)
        let dispatcher = Mutex<WebhookDispatcher?>(nil)
        let connectionLimit = Mutex<HTTPConnectionLimit?>(nil)
        let tally = RADIUSTally()
        let bothPortsBound = OnceSignal()
        let database = try SimGateDatabase(configuration.database, logger: TestDatabase.logger)
        let dependencies = AppDependencies(
            database: database, clock: clock, logger: logger ?? TestDatabase.logger,
            announceOperatorKey: { key in announced.withLock { $0 = key } },
            announceRADIUSPort: { role, port in
                if radiusPorts.withLock({ $0[role] = port; return $0.count }) == 2 { bothPortsBound.open() }
            },
            receiveScheduler: { built in scheduler.withLock { $0 = built } },
            receiveDispatcher: { built in dispatcher.withLock { $0 = built } },
            receiveConnectionLimit: { built in connectionLimit.withLock { $0 = built } },
            observeRADIUS: { _ in tally }
        )
        let app = try await buildApplication(configuration, dependencies: dependencies)
        let databaseConfiguration = configuration.database
        try await app.test(.live) { client in
            let key = try #require(announced.withLock { $0 })
            // Bound before the HTTP server took requests, so this does not wait in practice;
            // the RADIUS servers run as services of the same group.
            await bothPortsBound.wait()
            let ports = radiusPorts.withLock { $0 }
            let jobs = try #require(scheduler.withLock { $0 })
            let webhooks = try #require(dispatcher.withLock { $0 })
            let connections = try #require(connectionLimit.withLock { $0 })
            var harness = TestHarness(
                client: client, operatorKey: key, clock: clock, database: database, databaseConfiguration: databaseConfiguration,
                radiusPort: try #require(ports[.authentication]), radiusAccountingPort: try #require(ports[.accounting]),
                fleetAccount: earlier?.fleetAccount ?? "", scheduler: jobs, radius: tally,
                dispatcher: webhooks, connections: connections
            )
            if earlier == nil {
                let fleet = try await harness.request(.post, "/v1/accounts", key: key, json: ["name": "Fleet"])
                harness = TestHarness(
                    client: client, operatorKey: key, clock: clock, database: database, databaseConfiguration: databaseConfiguration,
                    radiusPort: harness.radiusPort, radiusAccountingPort: harness.radiusAccountingPort, fleetAccount: try #require(fleet["id"]),
                    scheduler: jobs, radius: tally, dispatcher: webhooks, connections: connections
                )
            }
            do {
                try await body(harness)
            } catch {
                await webhooks.shutdown()
                throw error
            }
            await webhooks.shutdown()
        }
    }

    /// Runs every job due at the clock's time, and the jobs those queue, until none is due.
    func settle() async throws {
        for _ in 0..<1_000 {
            if try await scheduler.runDueJobs() == 0 { return }
        }
        Issue.record("jobs kept coming after 1,000 rounds")
    }

    /// Sends every webhook delivery due at the clock's time (and the retries that fall due
    /// meanwhile), awaiting each attempt; returns how many attempts were made.
    @discardableResult
    func deliverWebhooks() async throws -> Int {
        try await dispatcher.deliverDue()
    }

    /// Sends a request and reads the answer as JSON (or as text for non-JSON bodies).
    @discardableResult
    func request(
        _ method: HTTPRequest.Method, _ path: String, key: String?, json: Any? = nil, rawBody: String? = nil, bytes: Data? = nil,
        headers extra: [String: String] = [:]
    ) async throws -> TestReply {
        var headers = HTTPFields()
        if let key { headers[.authorization] = "Bearer \(key)" }
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        var body: ByteBuffer? = nil
        if let json {
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
            headers[.contentType] = "application/json"
        } else if let rawBody {
            body = ByteBuffer(string: rawBody)
            headers[.contentType] = "application/json"
        } else if let bytes {
            body = ByteBuffer(bytes: bytes)
            headers[.contentType] = "application/json"
        }
        let response = try await client.executeRequest(uri: path, method: method, headers: headers, body: body)
        return TestReply(status: Int(response.status.code), headers: response.headers, body: Data(buffer: response.body))
    }
}

/// A response: status, headers, and the body parsed as a JSON object when it is one.
struct TestReply: Sendable {
    let status: Int
    let headers: HTTPFields
    let body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object; empty when it is not one.
    var json: [String: Any] {
        ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:]
    }

    subscript(_ key: String) -> String? { json[key] as? String }

    /// `data` of a list response.
    var items: [[String: Any]] { (json["data"] as? [[String: Any]]) ?? [] }

    var code: String? { self["code"] }
    var param: String? { self["param"] }
    var contentType: String? { headers[.contentType] }
}
