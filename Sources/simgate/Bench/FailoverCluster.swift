import AsyncHTTPClient
import Foundation
import SimGateStore
import SQLKit
import Synchronization

/// Several `simgate serve` processes on one PostgreSQL schema, as an operator runs them: each
/// with its own HTTP and RADIUS ports, all with the same secrets key and RADIUS client (this
/// machine, whose CoA port is `coaPort`). Each instance's output goes to a log file of its own.
final class FailoverCluster: Sendable {
    /// Where one instance listens.
    struct Ports: Sendable {
        let http: Int
        let authentication: Int
        let accounting: Int
    }

    let ports: [Ports]
    let clients: [BenchClient]
    private let databaseURL: String
    private let environment: [String: String]
    private let logDirectory: URL
    private let running: Mutex<[ServerProcess?]>
    /// SIGTERM and SIGINT, watched while the instances run.
    private let signals = Mutex(SignalSources(sources: []))

    /// Starts `count` instances on `databaseURL` and waits until each answers `/health`.
    init(count: Int, databaseURL: String, radiusSecret: String, coaPort: Int, http: HTTPClient, logDirectory: URL) async throws {
        var ports: [Ports] = []
        for _ in 0..<count {
            ports.append(Ports(http: try await FreePorts.tcp(), authentication: try await FreePorts.udp(), accounting: try await FreePorts.udp()))
        }
        self.ports = ports
        clients = ports.map { BenchClient(http: http, base: "http://127.0.0.1:\($0.http)") }
        self.databaseURL = databaseURL
        self.logDirectory = logDirectory
        environment = [
            "SIMGATE_RADIUS_CLIENTS": "127.0.0.1=\(radiusSecret)",
            "SIMGATE_RADIUS_COA_PORT": String(coaPort),
            "SIMGATE_WEBHOOKS_ALLOW_NETWORKS": "127.0.0.1",
            // Attempts at a hanging endpoint end after 2 s, so retries come soon after it answers again.
            "SIMGATE_WEBHOOKS_TIMEOUT": "2",
            "SIMGATE_SECRETS_KEY": Data((0..<32).map { _ in UInt8.random(in: .min ... .max) }).base64EncodedString(),
        ]
        running = Mutex(Array(repeating: nil, count: count))
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        // Stopped with SIGTERM or SIGINT (a time limit, Ctrl-C), the bench takes its instances with it.
        let sources = Self.onStopSignals { [weak self] in self?.killAll() }
        signals.withLock { $0 = sources }
        do {
            for index in 0..<count { try await start(index) }
        } catch {
            stopAll()
            throw error
        }
    }


    /// Runs `stop`, then exits, on SIGTERM or SIGINT.
    private static func onStopSignals(_ stop: @escaping @Sendable () -> Void) -> SignalSources {
        SignalSources(sources: [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                stop()
                exit(128 + number)
            }
            source.resume()
            return source
        })
    }

    /// Dispatch sources, which may be cancelled from any thread.
    private struct SignalSources: @unchecked Sendable {
        let sources: [any DispatchSourceSignal]
    }

    /// Starts instance `index` (again) on its ports and waits until it answers `/health`.
    func start(_ index: Int) async throws {
        let log = logDirectory.appendingPathComponent("simgate-\(index + 1).log")
        let process = try ServerProcess(
            arguments: ["serve", "--database", databaseURL, "--port", String(ports[index].http), "--log-level", "warning"],
            environment: environment.merging([
                "SIMGATE_RADIUS_AUTH_PORT": String(ports[index].authentication), "SIMGATE_RADIUS_ACCT_PORT": String(ports[index].accounting),
            ]) { $1 },
            log: log
        )
        running.withLock { $0[index] = process }
        try await clients[index].waitUntilUp(output: "its log, \(log.path),", serverRuns: { process.isRunning })
    }

    /// The process id of instance `index`, if it runs.
    func pid(_ index: Int) -> Int32? { running.withLock { $0[index]?.pid } }

    /// SIGKILL to instance `index`: no graceful shutdown, so what it had claimed stays claimed.
    func kill(_ index: Int) {
        let process = running.withLock { running in
            defer { running[index] = nil }
            return running[index]
        }
        process?.kill()
    }

    /// Kills every instance still running (SIGKILL).
    private func killAll() {
        for process in running.withLock({ $0 }) { process?.kill() }
    }

    /// Stops every instance still running, gracefully if it can within 10 s.
    func stopAll() {
        for process in running.withLock({ $0 }) { process?.stop(within: .seconds(10)) }
        running.withLock { $0 = $0.map { _ in nil } }
        for source in signals.withLock({ $0.sources }) { source.cancel() }
        for number in [SIGTERM, SIGINT] { signal(number, SIG_DFL) }
    }

    /// The path of instance `index`'s log.
    func logPath(_ index: Int) -> String { logDirectory.appendingPathComponent("simgate-\(index + 1).log").path }

    /// What each worker process holds now in the shared tables: running disconnect jobs and
    /// webhook deliveries being sent, by the process id each worker names itself with
    /// (`host:pid:tag` for jobs, `webhooks:pid:tag` for deliveries).
    static func claims(_ database: SimGateDatabase) async throws -> (disconnects: [Int32: Int], deliveries: [Int32: Int]) {
        func pid(_ worker: String?) -> Int32? {
            guard let parts = worker?.split(separator: ":"), parts.count >= 3 else { return nil }
            return Int32(parts[parts.count - 2])
        }
        return try await database.sqlRead { db in
            var disconnects: [Int32: Int] = [:]
            for row in try await db.raw("SELECT locked_by FROM jobs WHERE kind = 'radius.disconnect' AND state = 'running'").all() {
                if let pid = pid(try row.decode(column: "locked_by", as: String?.self)) { disconnects[pid, default: 0] += 1 }
            }
            var deliveries: [Int32: Int] = [:]
            for row in try await db.raw("SELECT locked_by FROM webhook_deliveries WHERE state = 'delivering'").all() {
                if let pid = pid(try row.decode(column: "locked_by", as: String?.self)) { deliveries[pid, default: 0] += 1 }
            }
            return (disconnects, deliveries)
        }
    }
}
