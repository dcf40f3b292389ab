import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SimGateServer
import SimGateStore
import SQLKit

/// `simgate bench failover`: issue 15's drill at full scale. Several `simgate serve` processes
/// on one PostgreSQL take the accounting of thousands of sessions from one packet gateway that
/// fails over between them. Mid-load, SIMs are suspended through one instance while the
/// gateway's CoA port and the customer's webhook endpoint hang; the instance holding most of
/// the resulting Disconnect-Requests is killed with SIGKILL and later started again. Printed:
/// every count README's "What once means" promises about, and how long the survivors took to
/// finish what the dead instance held.
struct FailoverBenchCommand: AsyncParsableCommand {
    /// `simgate bench failover`, with its one-line summary.
    static let configuration = CommandConfiguration(
        commandName: "failover",
        abstract: "Instances on one PostgreSQL under accounting load, one killed with SIGKILL and restarted: what was acknowledged, stored, disconnected and delivered."
    )

    /// `--postgres`: where the instances keep their data.
    @Option(help: "PostgreSQL URL. The bench makes a schema of its own there and drops it afterwards.") var postgres: String
    /// `--instances`: `simgate serve` processes.
    @Option(help: "simgate serve processes (at least 2).") var instances = 3
    /// `--sessions`: data sessions at the gateway, one SIM each.
    @Option(help: "Data sessions at the gateway, one SIM each.") var sessions = 3_000
    /// `--interval`: seconds between one session's reports.
    @Option(help: "Seconds between a session's reports (sessions / interval = reports per second offered).") var interval = 1.0
    /// `--seconds`: length of the accounting load.
    @Option(help: "Seconds of accounting load in all.") var seconds = 60
    /// `--kill-after`: seconds of load before the suspension and the kill.
    @Option(help: "Seconds of load before SIMs are suspended and an instance is killed.") var killAfter = 10
    /// `--suspend`: SIMs suspended just before the kill.
    @Option(help: "SIMs suspended just before the kill, each a Disconnect-Request and a webhook.") var suspend = 500

    static let radiusSecret = "bench-failover-secret"

    func validate() throws {
        guard instances >= 2 else { throw ValidationError("--instances must be at least 2: one is killed.") }
        guard sessions >= 1, (1...sessions).contains(suspend) else { throw ValidationError("--suspend must be between 1 and --sessions: the kill needs disconnects in flight.") }
        guard (0.05...3_600).contains(interval), killAfter >= 1, seconds > killAfter else {
            throw ValidationError("need 0.05 ≤ --interval ≤ 3600 and --seconds > --kill-after ≥ 1.")
        }
    }

    func run() async throws {
        let logger = { var logger = Logger(label: "simgate.bench.failover"); logger.logLevel = .error; return logger }()
        let schema = "bench_failover_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        let admin = try SimGateDatabase(.postgres(url: postgres), logger: logger)
        // The bench's own schema, in place of any the URL names.
        guard var components = URLComponents(string: postgres) else { throw ValidationError("--postgres is not a URL: \(postgres)") }
        components.queryItems = (components.queryItems ?? []).filter { $0.name != "search_path" } + [URLQueryItem(name: "search_path", value: schema)]
        guard let url = components.string else { throw ValidationError("--postgres is not a URL: \(postgres)") }
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("simgate-bench-failover-\(schema)")
        print("SimGate bench: failover, \(instances) instances on PostgreSQL (schema \(schema)), \(sessions) sessions reporting every \(interval) s")
        let failed = try await admin.withRunning {
            try await admin.sqlTransaction { try await $0.raw("CREATE SCHEMA \(unsafeRaw: schema)").run() }
            var failed = false
            do {
                try await drill(databaseURL: url, logger: logger, logs: logs)
            } catch {
                failed = true
                print("the drill failed: \(error); the instances' logs are in \(logs.path)")
            }
            try await admin.sqlTransaction { try await $0.raw("DROP SCHEMA \(unsafeRaw: schema) CASCADE").run() }
            return failed
        }
        if failed { throw ExitCode.failure }
        try? FileManager.default.removeItem(at: logs)
    }

    private func drill(databaseURL: String, logger: Logger, logs: URL) async throws {
        let database = try SimGateDatabase(.postgres(url: databaseURL), logger: logger)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await database.withRunning {
                try await Migrator(database: database, logger: logger).migrate()
                guard let operatorKey = try await Administration(database: database).bootstrapOperator() else { throw BenchError("a fresh schema had an operator") }
                try await BenchReceiver.with { receiver in
                    try await DisconnectResponder.with(secret: Self.radiusSecret) { coa in
                        let cluster = try await FailoverCluster(
                            count: instances, databaseURL: databaseURL, radiusSecret: Self.radiusSecret, coaPort: coa.port, http: http, logDirectory: logs
                        )
                        defer { cluster.stopAll() }
                        try await drill(cluster, database: database, operatorKey: operatorKey, receiver: receiver, coa: coa)
                    }
                }
            }
            try await http.shutdown()
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    private func drill(_ cluster: FailoverCluster, database: SimGateDatabase, operatorKey: String, receiver: BenchReceiver, coa: DisconnectResponder) async throws {
        // A customer with a webhook endpoint for status changes and the fleet, made LIVE.
        let api = cluster.clients
        let accountID = try await api[1].createAccount(named: "Failover Fleet", operatorKey: operatorKey)
        let madeKey = try await api[1].json(.POST, "/v1/api_keys", key: operatorKey, ["name": "failover", "account": accountID])
        guard let key = madeKey.json["secret"] as? String else { throw BenchError("no API key") }
        let endpoint = try await api[0].json(.POST, "/v1/webhook_endpoints", key: key, [
            "url": receiver.url, "event_types": ["sim.status_changed"], "max_concurrency": 50,
        ])
        guard endpoint.status == 201 else { throw BenchError("endpoint refused: \(String(decoding: endpoint.body, as: UTF8.self))") }
        let imsis = try await RADIUSBenchLoad.prepareSims(api[2], operatorKey: operatorKey, count: sessions, account: accountID)
        try await receiver.waitFor(sessions, limit: .seconds(120))
        print("fleet: \(sessions) SIMs LIVE; their \(sessions) status changes delivered to the endpoint")

        // The gateway's sessions, their reports spread over every instance.
        let targets = try cluster.ports.map { try SocketAddress(ipAddress: "127.0.0.1", port: $0.accounting) }
        let gateway = FailoverAccounting(targets: targets, secret: Self.radiusSecret, interval: .milliseconds(Int64(interval * 1_000)))
        let start = ContinuousClock.now
        let load = Task { try await gateway.run(imsis.indices.map { FailoverAccounting.Session(id: "pgw-\($0)", imsi: imsis[$0], index: $0) }) }
        defer { load.cancel() }
        try await Task.sleep(until: start + .seconds(killAfter))
        print(String(format: "load: %d reports acknowledged in the first %d s (%.0f/s)", gateway.snapshot.acknowledged, killAfter, Double(gateway.snapshot.acknowledged) / Double(killAfter)))

        // Suspensions while the CoA port and the endpoint hang, so that the work is claimed
        // and in the middle of being done when its instance dies.
        coa.answer(false)
        receiver.hold(true)
        // Whatever happens from here, the CoA port and the endpoint answer again in the end.
        defer {
            coa.answer(true)
            receiver.hold(false)
        }
        let suspendedIndices = Array(0..<suspend)
        for batch in stride(from: 0, to: suspend, by: 1_000) {
            let iccids = suspendedIndices[batch..<min(batch + 1_000, suspend)].map(RADIUSBenchLoad.iccid)
            let reply = try await api[0].json(.POST, "/v1/sims/bulk", key: key, ["action": "suspend", "iccids": iccids, "reason": "failover drill"])
            guard reply.status < 300 else { throw BenchError("suspension refused: \(String(decoding: reply.body, as: UTF8.self))") }
        }
        var victim: Int?
        var held: (disconnects: Int, deliveries: Int) = (0, 0)
        let chooseBy = ContinuousClock.now + .seconds(20)
        while victim == nil, ContinuousClock.now < chooseBy {
            let claims = try await FailoverCluster.claims(database)
            let busiest = cluster.ports.indices.compactMap { index in cluster.pid(index).map { (index, claims.disconnects[$0] ?? 0, claims.deliveries[$0] ?? 0) } }
                .max { $0.1 < $1.1 }
            if let busiest, busiest.1 > 0 {
                victim = busiest.0
                held = (busiest.1, busiest.2)
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        guard let victim, let victimPID = cluster.pid(victim) else { throw BenchError("no instance claimed a disconnect job within 20 s of the suspension") }
        cluster.kill(victim)
        let killedAt = ContinuousClock.now
        // What it held, counted again after its death (a claim read just before may have ended).
        let claimsAtDeath = try await FailoverCluster.claims(database)
        held = (claimsAtDeath.disconnects[victimPID] ?? 0, claimsAtDeath.deliveries[victimPID] ?? 0)
        coa.answer(true)
        receiver.hold(false)
        print("kill: simgate-\(victim + 1) (pid \(victimPID)) killed with SIGKILL \(Self.seconds(killedAt - start)) into the load, holding \(held.disconnects) disconnect job(s) and \(held.deliveries) webhook delivery(ies)")

        // The survivors finish what it held once its leases run out.
        let jobLease = Duration.seconds(JobScheduler.Settings().lease)
        let suspendedSessions = Set(suspendedIndices.map { "pgw-\($0)" })
        let disconnected = try await waitUntil(killedAt + jobLease + .seconds(60)) { coa.acknowledged.isSuperset(of: suspendedSessions) }
        let disconnectsTook = ContinuousClock.now - killedAt
        let expectedEvents = sessions + suspend
        let delivered = try await waitUntil(killedAt + .seconds(WebhookDispatcher.lease) + .seconds(60)) { receiver.answeredIDs.count >= expectedEvents }
        let webhooksTook = ContinuousClock.now - killedAt

        // The dead instance comes back on its ports.
        let acknowledgedBefore = gateway.snapshot.acknowledgedBy[victim]
        try await cluster.start(victim)
        let restartedAfter = ContinuousClock.now - killedAt

        // The rest of the load, then every session stops.
        try await Task.sleep(until: start + .seconds(seconds))
        gateway.finish()
        try await withTimeout(.seconds(120)) { try await withTaskCancellationHandler { try await load.value } onCancel: { load.cancel() } }
        let tally = gateway.snapshot
        let elapsed = ContinuousClock.now - start

        // What the instances stored, read back through the API of one that was never killed.
        let survivor = api[(victim + 1) % api.count]
        let usage = try await storedUsage(survivor, key: key, expected: tally.lastAcknowledged)
        let outcomes = try await disconnectOutcomes(survivor, key: key, iccids: suspendedIndices.map(RADIUSBenchLoad.iccid))
        let asked = coa.distinctRequests
        let askedLive = asked.keys.filter { !suspendedSessions.contains($0) }.count
        let askedTwice = asked.filter { suspendedSessions.contains($0.key) && $0.value > 1 }.count
        let answered = receiver.answeredIDs

        print(String(format: "accounting: %d reports acknowledged in %.1f s (%.0f/s offered %.0f/s), by instance %@; %d resent to another instance after 1 s of silence; %d session(s) given up",
                     tally.acknowledged, elapsed.asSeconds, Double(tally.acknowledged) / elapsed.asSeconds, Double(sessions) / interval,
                     tally.acknowledgedBy.map(String.init).joined(separator: "/"), tally.failovers, tally.abandoned.count))
        print("restart: simgate-\(victim + 1) answered /health \(Self.seconds(restartedAfter)) after the kill and acknowledged \(tally.acknowledgedBy[victim] - acknowledgedBefore) reports since")
        print("usage: \(usage.matching) of \(tally.lastAcknowledged.count) SIMs store exactly their last acknowledged counters; bytes lost \(usage.lost), bytes counted twice \(usage.doubled)")
        print("disconnects: \(coa.acknowledged.intersection(suspendedSessions).count) of \(suspend) suspended SIMs' sessions acknowledged\(disconnected ? "" : " (gave up waiting)") \(Self.seconds(disconnectsTook)) after the kill (job lease \(jobLease)); \(askedTwice) asked twice; \(askedLive) LIVE session(s) asked; outcome stored as acked for \(outcomes) of \(suspend); \(coa.rejected) forged datagram(s)")
        print("webhooks: \(answered.count) of \(expectedEvents) status changes delivered\(delivered ? "" : " (gave up waiting)") \(Self.seconds(webhooksTook)) after the kill (delivery lease \(WebhookDispatcher.lease) s); \(receiver.requestsWithID - answered.count) request(s) repeated or held, each under its event's webhook-id")
        let whole = usage.matching == tally.lastAcknowledged.count && usage.lost == 0 && usage.doubled == 0 && tally.abandoned.isEmpty && disconnected && delivered
            && outcomes == suspend && askedLive == 0
        print(whole ? "result: nothing acknowledged was lost or counted twice; every due disconnect and webhook was done" : "result: something was lost, doubled or left undone (see above)")
        if !whole { throw BenchError("the counts above are not whole") }
    }

    /// Each SIM's stored usage against its last acknowledged counters, read 8 at a time.
    private func storedUsage(_ api: BenchClient, key: String, expected: [String: FailoverAccounting.Counters]) async throws -> (matching: Int, lost: UInt64, doubled: UInt64) {
        let sessions = expected.keys.sorted()
        var result: (matching: Int, lost: UInt64, doubled: UInt64) = (0, 0, 0)
        for first in stride(from: 0, to: sessions.count, by: 8) {
            try await withThrowingTaskGroup(of: (String, FailoverAccounting.Counters).self) { group in
                for session in sessions[first..<min(first + 8, sessions.count)] {
                    group.addTask {
                        let index = Int(session.dropFirst("pgw-".count)) ?? -1
                        let reply = try await api.send(.GET, "/v1/sims/\(RADIUSBenchLoad.iccid(index))/usage?granularity=month", key: key)
                        guard reply.status == 200 else { throw BenchError("usage of \(session): \(reply.status)") }
                        var total = FailoverAccounting.Counters(input: 0, output: 0)
                        for case let period as [String: Any] in reply.json["data"] as? [Any] ?? [] {
                            total.input += UInt64((period["bytes_up"] as? Int) ?? 0)
                            total.output += UInt64((period["bytes_down"] as? Int) ?? 0)
                        }
                        return (session, total)
                    }
                }
                for try await (session, stored) in group {
                    guard let wanted = expected[session] else { continue }
                    if stored == wanted { result.matching += 1 }
                    let (have, want) = (stored.input + stored.output, wanted.input + wanted.output)
                    if have < want { result.lost += want - have } else { result.doubled += have - want }
                }
            }
        }
        return result
    }

    /// How many of `iccids` have their newest session's disconnect stored as acknowledged.
    private func disconnectOutcomes(_ api: BenchClient, key: String, iccids: [String]) async throws -> Int {
        var acked = 0
        for iccid in iccids {
            let reply = try await api.send(.GET, "/v1/sims/\(iccid)/sessions", key: key)
            let session = (reply.json["data"] as? [Any])?.first as? [String: Any]
            if (session?["disconnect"] as? [String: Any])?["outcome"] as? String == "acked" { acked += 1 }
        }
        return acked
    }

    /// Looks at `condition` every 100 ms (it reads other processes' work) until it holds
    /// (true) or `deadline` passes (false).
    private func waitUntil(_ deadline: ContinuousClock.Instant, _ condition: () async throws -> Bool) async throws -> Bool {
        while true {
            if try await condition() { return true }
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Runs `body`, giving up with an error after `limit`.
    private func withTimeout(_ limit: Duration, _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw BenchError("the sessions did not all stop within \(limit)")
            }
            try await group.next()
            group.cancelAll()
        }
    }

    private static func seconds(_ duration: Duration) -> String { String(format: "%.1f s", duration.asSeconds) }
}
