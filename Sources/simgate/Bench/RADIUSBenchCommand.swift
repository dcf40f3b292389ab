import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOPosix
import SimGateCore
import SimGateRADIUS
import SimGateServer
import SimGateStore

/// `simgate bench radius`: starts SimGate as a separate process on a fresh SQLite file and
/// loads its RADIUS ports over real UDP on loopback. Every session sends Start, then
/// Interim-Updates, then Stop, with 3GPP attributes as a packet gateway sends them; a few
/// sockets keep many requests in flight each. Then Access-Requests are timed one at a time.
///
/// Prints accounting updates per second, the server's CPU seconds per 20,000 updates (read
/// from /proc, so the load generator is not counted), Access-Request latency p50/p99, and
/// whether any update was lost or counted twice (stored totals against what was sent).
struct RADIUSBenchCommand: AsyncParsableCommand {
    /// `simgate bench radius`, with its one-line summary.
    static let configuration = CommandConfiguration(commandName: "radius", abstract: "Accounting updates/s, server CPU and Access-Request latency over UDP.")

    /// `--updates`: Accounting-Requests sent in all (Start, Interim-Update and Stop each count).
    @Option(help: "Accounting updates to send (Start, Interim-Update and Stop all count).") var updates = 100_000
    /// `--sessions`: sessions, one SIM each, that the updates are spread over.
    @Option(help: "Sessions (one SIM each) the updates are spread over.") var sessions = 2_000
    /// `--sockets`: UDP sockets sending side by side.
    @Option(help: "UDP sockets sending at once.") var sockets = 4
    /// `--window`: requests in flight per socket; capped at 255, as identifiers are one octet.
    @Option(help: "Requests in flight per socket (at most 255).") var window = 128
    /// `--samples`: Access-Requests timed one after another once the load is done.
    @Option(help: "Access-Requests timed one by one.") var samples = 500

    /// The shared secret configured for client 127.0.0.1 and used to sign every request.
    static let secret = "bench-radius-secret"

    /// Makes a temporary database with an operator key, starts `simgate serve` on free ports, measures.
    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("simgate-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let databasePath = directory.appendingPathComponent("bench.sqlite").path

        // The operator's key is made here, before the server starts, so the bench can use the API.
        let logger = {
            var logger = Logger(label: "simgate.bench")
            logger.logLevel = .warning
            return logger
        }()
        let database = try SimGateDatabase(.sqlite(path: databasePath), logger: logger)
        let operatorKey = try await database.withRunning {
            try await Migrator(database: database, logger: logger).migrate()
            return try await Administration(database: database).bootstrapOperator()
        }
        guard let operatorKey else { throw BenchError("a fresh database already had an operator") }

        let (httpPort, authPort, accountingPort) = (try await FreePorts.tcp(), try await FreePorts.udp(), try await FreePorts.udp())
        let server = try ServerProcess(arguments: ["serve", "--database", databasePath, "--port", "\(httpPort)", "--log-level", "error"], environment: [
            "SIMGATE_RADIUS_AUTH_PORT": "\(authPort)", "SIMGATE_RADIUS_ACCT_PORT": "\(accountingPort)",
            "SIMGATE_RADIUS_CLIENTS": "127.0.0.1=\(Self.secret)",
        ])
        defer { server.stop() }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await measure(BenchClient(http: http, base: "http://127.0.0.1:\(httpPort)"), operatorKey: operatorKey, server: server, authPort: authPort, accountingPort: accountingPort)
        } catch {
            try await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    private func measure(_ client: BenchClient, operatorKey: String, server: ServerProcess, authPort: Int, accountingPort: Int) async throws {
        try await PaymentsBenchCommand.waitUntilUp(client)
        print("SimGate bench: radius, \(updates) accounting updates over \(sessions) sessions, \(sockets) sockets x \(window) in flight, SQLite")
        let imsis = try await RADIUSBenchLoad.prepareSims(client, operatorKey: operatorKey, count: sessions)
        let load = RADIUSBenchLoad(imsis: imsis, updates: updates, secret: Array(Self.secret.utf8))
        let streams = load.packets(sockets: sockets)
        let target = try SocketAddress(ipAddress: "127.0.0.1", port: accountingPort)

        let cpuBefore = server.cpuSeconds()
        let start = ContinuousClock.now
        let outcomes = try await withThrowingTaskGroup(of: RADIUSPipeline.Outcome.self) { group in
            for stream in streams {
                group.addTask { try await RADIUSPipeline.send(stream, to: target, window: window) }
            }
            return try await group.reduce(into: [RADIUSPipeline.Outcome]()) { $0.append($1) }
        }
        let seconds = (ContinuousClock.now - start).asSeconds
        let cpu = server.cpuSeconds() - cpuBefore
        let answered = outcomes.reduce(0) { $0 + $1.answered }
        let retransmissions = outcomes.reduce(0) { $0 + $1.retransmissions }
        print(String(format: "accounting: %d updates answered in %.2f s = %.0f per second (%d retransmitted after 1 s of silence)",
                     answered, seconds, Double(answered) / seconds, retransmissions))
        print(String(format: "server CPU: %.2f s per 20,000 updates (user + system of the simgate serve process)", cpu * 20_000 / Double(answered)))

        let sent = load.expectedBytes
        let stored = try await storedBytes(client, operatorKey: operatorKey)
        print("usage stored: \(stored.up) bytes up, \(stored.down) down; sent: \(sent.up) up, \(sent.down) down -> "
              + (stored == sent ? "nothing lost or doubled" : "MISMATCH"))
        try await timeAccess(port: authPort, imsi: imsis[0])
    }

    /// Every byte stored, from the account-wide monthly totals.
    private func storedBytes(_ client: BenchClient, operatorKey: String) async throws -> RADIUSBenchLoad.Bytes {
        let reply = try await client.send(.GET, "/v1/usage?granularity=month", key: operatorKey)
        let rows = reply.json["data"] as? [[String: Any]] ?? []
        return rows.reduce(RADIUSBenchLoad.Bytes(up: 0, down: 0)) {
            RADIUSBenchLoad.Bytes(up: $0.up + (($1["bytes_up"] as? Int).map(UInt64.init) ?? 0), down: $0.down + (($1["bytes_down"] as? Int).map(UInt64.init) ?? 0))
        }
    }

    private func timeAccess(port: Int, imsi: String) async throws {
        let secret = Array(Self.secret.utf8)
        let samples = self.samples
        let durations = try await BenchUDPSocket.with(serverPort: port) { request -> [Duration] in
            var durations: [Duration] = []
            for sample in 0..<samples {
                let authenticator = (0..<16).map { _ in UInt8.random(in: 0...255) }
                let packet = RADIUSAuthenticators.signRequest(RADIUSPacket(code: .accessRequest, identifier: UInt8(sample % 256), authenticator: authenticator, attributes: [
                    .text(RADIUSAttributeType.userName, imsi),
                ]), secret: secret)
                let start = ContinuousClock.now
                _ = try await request(packet.encoded())
                durations.append(ContinuousClock.now - start)
            }
            return durations
        }
        print("Access-Request -> Access-Accept: " + LatencySummary(durations).text)
    }
}
