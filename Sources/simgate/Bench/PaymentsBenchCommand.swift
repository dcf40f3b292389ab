import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Logging
import ServiceLifecycle
import SimGateCore
import SimGateServer
import SimGateStore
import Synchronization

/// `simgate bench payments`: starts a SimGate of its own on loopback (a fresh SQLite file by
/// default) and drives it over real HTTP with Stripe-signed webhooks.
///
/// Prints (1) verified-and-stored webhook receipts per second under concurrent load from wrk
/// (which must be installed: Debian's `wrk`), and
/// (2) the time from posting a paid invoice to reading the SIM back as LIVE, p50/p99. Server
/// and load share this machine's cores.
struct PaymentsBenchCommand: AsyncParsableCommand {
    /// `simgate bench payments`, with its one-line summary.
    static let configuration = CommandConfiguration(commandName: "payments", abstract: "Webhook receipt rate and paid-invoice-to-LIVE latency.")

    /// `--receipts`: distinct webhooks signed for the throughput phase, more than it can post;
    /// by default 15,000 for each of its seconds (a fixed 50,000 ran out at 5,000 a second), at
    /// most 600,000: all are held in memory and written to wrk's file before the clock starts.
    @Option(help: "Distinct webhooks signed for the throughput phase (more than it can post; default: 15,000 per second of it, at most 600,000).") var receipts: Int?
    /// `--seconds`: how long the throughput phase lasts; at most 240, since its invoices are
    /// signed beforehand and Stripe's signatures are good for five minutes.
    @Option(help: "Seconds the throughput phase lasts (at most 240: the invoices are signed beforehand).") var seconds = 10
    /// `--concurrency`: webhook requests in flight at once in the throughput phase.
    @Option(help: "Connections wrk keeps open in the throughput phase.") var concurrency = 32
    /// `--samples`: paid invoices timed one at a time in the latency phase.
    @Option(help: "Paid invoices timed one by one in the latency phase.") var samples = 300
    /// `--port`: HTTP port of the benchmark's own server on 127.0.0.1; 0 for any free one.
    @Option(help: "Port for the benchmark's own server on 127.0.0.1 (0: any free port).") var port = 18_089
    /// `--database`: file path or `postgres://` URL; `nil` means a new temporary SQLite file.
    @Option(help: "Database (file path or postgres:// URL). Default: a new temporary SQLite file.") var database: String?

    /// The webhook signing secret of the bench's Stripe gateway.
    static let secret = "whsec_bench_secret"

    /// Starts a server of its own, prepares the fleet, runs both phases, prints, and shuts down.
    func run() async throws {
        // Before anything is set up: without wrk there is no throughput phase.
        guard let wrk = HTTPBenchCommand.executable("wrk") else { throw BenchError("wrk is not installed (Debian: apt-get install wrk)") }
        var logger = Logger(label: "simgate.bench")
        logger.logLevel = .warning
        var configuration = AppConfiguration()
        let port = self.port == 0 ? try await FreePorts.tcp() : self.port
        configuration.port = port
        configuration.radius.enabled = false
        // Without --database: a new SQLite file, removed with its key file once the bench is done.
        let scratch = try ScratchDirectory(prefix: "simgate-bench-payments")
        defer { scratch.remove() }
        configuration.database = database.map(DatabaseConfiguration.init(parsing:)) ?? .sqlite(path: scratch.path("bench.sqlite"))
        let operatorKey = Mutex<String?>(nil)
        let dependencies = AppDependencies(
            database: try SimGateDatabase(configuration.database, logger: logger), logger: logger,
            announceOperatorKey: { key in operatorKey.withLock { $0 = key } }
        )
        let app = try await buildApplication(configuration, dependencies: dependencies)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(connectionPool: .init(idleTimeout: .seconds(30))))
        let client = BenchClient(http: http, base: "http://127.0.0.1:\(port)")
        let (receipts, concurrency, samples, seconds) = (
            max(1, self.receipts ?? min(600_000, 15_000 * max(1, min(240, self.seconds)))), max(1, self.concurrency), self.samples, max(1, min(240, self.seconds))
        )

        // A service group of our own, so the server can be shut down gracefully when done.
        let services = ServiceGroup(configuration: .init(services: [.init(service: app)], logger: logger))
        let server = ServerRunning()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { server.ended() }
                try await services.run()
            }
            do {
                try await client.waitUntilUp(serverRuns: { server.isRunning })
                // The key is announced once the server runs, which can be a moment after its
                // first answer.
                var announced = operatorKey.withLock { $0 }
                let deadline = ContinuousClock.now + .seconds(10)
                while announced == nil, server.isRunning, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                    announced = operatorKey.withLock { $0 }
                }
                guard let key = announced else {
                    throw ValidationError("The database already has an operator; benchmark a fresh database.")
                }
                print("SimGate bench: payments, database \(configuration.database)")
                let fleet = try await BenchFleet.prepare(client, operatorKey: key, sims: samples + 100, secret: Self.secret)
                try await Self.throughput(wrk, client, fleet: fleet, receipts: receipts, concurrency: concurrency, seconds: seconds)
                try await Self.latency(client, fleet: fleet, samples: samples)
            } catch {
                // A server that had stopped by itself failed first: its own error says more
                // than that the bench got no answer. Otherwise the bench's error stands.
                let serverStoppedFirst = !server.isRunning
                await services.triggerGracefulShutdown()
                let serverFailure: (any Error)?
                do { try await group.waitForAll(); serverFailure = nil } catch { serverFailure = error }
                try? await http.shutdown()
                if serverStoppedFirst, let serverFailure { throw serverFailure }
                throw error
            }
            await services.triggerGracefulShutdown()
            do { try await group.waitForAll() } catch {
                try? await http.shutdown()
                throw error
            }
        }
        try await http.shutdown()
    }

    /// Posts distinct signed invoices, for SIMs already LIVE, with wrk for `seconds` over
    /// `concurrency` connections (wrk is a load generator apart from the server, and far
    /// cheaper on the shared cores than an HTTP client in the server's own process).
    static func throughput(_ wrk: String, _ client: BenchClient, fleet: BenchFleet, receipts: Int, concurrency: Int, seconds: Int) async throws {
        // The gateway's side is made before the clock starts: building and signing the bodies
        // is the load generator's work. Signed now, they are good for Stripe's five minutes.
        let invoices = try (0..<receipts).map { index in
            try fleet.invoice(eventID: "evt_tp_\(index)", iccid: fleet.warmICCIDs[index % fleet.warmICCIDs.count], paidDays: 30 + index % 7)
        }
        let run = try await WrkReceipts.run(
            wrk, invoices: invoices, path: "/webhooks/stripe/\(fleet.gatewayID)", base: client.base, connections: concurrency, seconds: seconds
        )
        print(String(format: "receipts: %d verified-and-stored webhooks in %.2f s = %.0f per second (wrk, %d connections, %d failed)",
                     run.answered, run.seconds, Double(run.answered) / run.seconds, concurrency, run.failed))
    }

    /// Posts one paid invoice at a time for a SIM in stock and polls until the SIM reads LIVE.
    static func latency(_ client: BenchClient, fleet: BenchFleet, samples: Int) async throws {
        // Let the throughput phase's jobs drain first, so each sample is measured on its own.
        try await fleet.waitForIdleQueue(client)
        var durations: [Duration] = []
        for (index, iccid) in fleet.coldICCIDs.prefix(samples).enumerated() {
            let start = ContinuousClock.now
            _ = try await fleet.sendInvoice(client, eventID: "evt_lat_\(index)", iccid: iccid, paidDays: 30)
            while try await client.send(.GET, "/v1/sims/\(iccid)", key: fleet.customerKey).json["status"] as? String != "LIVE" {
                guard ContinuousClock.now - start < .seconds(30) else { throw BenchError("SIM \(iccid) was not LIVE 30 s after its paid invoice") }
                try await Task.sleep(for: .microseconds(200))
            }
            durations.append(ContinuousClock.now - start)
        }
        print("paid invoice -> SIM LIVE: " + LatencySummary(durations).text)
    }
}

/// Whether the bench's in-process server still runs: its services end at once when it cannot
/// start (a port taken), and nothing would ever answer the wait for its first reply.
private final class ServerRunning: Sendable {
    private let running = Mutex(true)
    var isRunning: Bool { running.withLock { $0 } }
    func ended() { running.withLock { $0 = false } }
}

extension Duration {
    /// The duration in seconds, fractions included.
    var asSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
