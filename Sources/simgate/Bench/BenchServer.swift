import AsyncHTTPClient
import Foundation
import Logging
import SimGateCore
import SimGateServer
import SimGateStore

/// A `simgate serve` on a fresh temporary SQLite file with the RADIUS ports on, webhooks
/// allowed to loopback, and the operator's key made before it starts.
struct BenchServer: Sendable {
    /// The RADIUS shared secret the server accepts from 127.0.0.1.
    static let radiusSecret = "bench-radius-secret"
    /// Talks to the server's HTTP API.
    let client: BenchClient
    /// The operator's API key, made before the server started.
    let operatorKey: String
    /// The UDP port of RADIUS accounting.
    let accountingPort: Int
    /// The server's SQLite file, for work done beside it (the statement bench freezes through it).
    let databasePath: String
    /// The `simgate serve` process, for its memory.
    let process: ServerProcess

    /// Runs `body` against a new server, then stops it and removes its files.
    static func with<T: Sendable>(_ body: (BenchServer) async throws -> T) async throws -> T {
        try await with(seed: { _ in }) { server, _ in try await body(server) }
    }

    /// Runs `seed` on the new database before the server starts (with `arguments` added to
    /// `simgate serve`), then `body` against the server with what `seed` returned. The schema
    /// is stamped as made at `migratedAt`'s time, for seeds that write history from before now.
    static func with<Seeded: Sendable, T: Sendable>(
        arguments: [String] = [], migratedAt: any WallClock = SystemWallClock(), seed: @escaping @Sendable (SimGateDatabase) async throws -> Seeded,
        _ body: (BenchServer, Seeded) async throws -> T
    ) async throws -> T {
        let scratch = try ScratchDirectory(prefix: "simgate-bench")
        defer { scratch.remove() }
        let path = scratch.path("bench.sqlite")
        let logger = { var logger = Logger(label: "simgate.bench"); logger.logLevel = .warning; return logger }()
        let database = try SimGateDatabase(.sqlite(path: path), logger: logger)
        let (key, seeded) = try await database.withRunning {
            try await Migrator(database: database, logger: logger, clock: migratedAt).migrate()
            return (try await Administration(database: database).bootstrapOperator(), try await seed(database))
        }
        guard let key else { throw BenchError("a fresh database already had an operator") }
        let (httpPort, authPort, accountingPort) = (try await FreePorts.tcp(), try await FreePorts.udp(), try await FreePorts.udp())
        let process = try ServerProcess(arguments: ["serve", "--database", path, "--port", "\(httpPort)", "--log-level", "error"] + arguments, environment: [
            "SIMGATE_RADIUS_AUTH_PORT": "\(authPort)", "SIMGATE_RADIUS_ACCT_PORT": "\(accountingPort)",
            "SIMGATE_RADIUS_CLIENTS": "127.0.0.1=\(radiusSecret)", "SIMGATE_WEBHOOKS_ALLOW_NETWORKS": "127.0.0.1",
            "SIMGATE_SECRETS_KEY_FILE": scratch.path("simgate.key"),
        ])
        defer { process.stop() }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let server = BenchServer(
                client: BenchClient(http: http, base: "http://127.0.0.1:\(httpPort)"), operatorKey: key, accountingPort: accountingPort, databasePath: path,
                process: process
            )
            try await server.client.waitUntilUp(serverRuns: { process.isRunning })
            let result = try await body(server, seeded)
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    /// A customer account and its API key.
    func customer() async throws -> (account: String, key: String) {
        let id = try await client.createAccount(named: "E-Bikes Ltd", operatorKey: operatorKey)
        let key = try await client.json(.POST, "/v1/api_keys", key: operatorKey, ["name": "bench", "account": id])
        guard let secret = key.json["secret"] as? String else { throw BenchError("no key") }
        return (id, secret)
    }

    /// Imports `count` SIMs to `account` and makes them LIVE; returns their IMSIs.
    func fleet(account: String, count: Int) async throws -> [String] {
        try await RADIUSBenchLoad.prepareSims(client, operatorKey: operatorKey, count: count, account: account)
    }

    /// The ICCIDs of the key's SIMs (up to 10,000).
    func iccids(key: String) async throws -> [String] {
        try await sims(key: key).compactMap { $0["iccid"] as? String }
    }

    private func sims(key: String) async throws -> [[String: Any]] {
        var all: [[String: Any]] = []
        var cursor: String?
        repeat {
            let page = try await client.send(.GET, "/v1/sims?limit=100" + (cursor.map { "&starting_after=\($0)" } ?? ""), key: key)
            let items = page.json["data"] as? [[String: Any]] ?? []
            all += items
            cursor = (page.json["has_more"] as? Bool == true) ? items.last?["id"] as? String : nil
        } while cursor != nil && all.count < 10_000
        return all
    }
}
