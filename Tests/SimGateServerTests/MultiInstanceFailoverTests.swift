import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SimGateServer
import SimGateStore
import SimGateTestSupport
import Synchronization
import Testing

/// Issue 15 at a small scale: three `simgate serve` processes share one PostgreSQL schema
/// behind one packet gateway. One of them is killed with SIGKILL in the middle of the load,
/// while it holds Disconnect-Request jobs and webhook deliveries, and started again later.
/// Nothing acknowledged may be lost or counted twice, and what the dead instance held must be
/// done by the others once its claims run out, as README's "What once means" promises.
@Suite("Several instances on one PostgreSQL, one killed mid-load", .serialized, .timeLimit(.minutes(3)))
struct MultiInstanceFailoverTests {
    static let radiusSecret = "failover-radius-secret"
    static let simCount = 40
    /// The SIMs (by fixture number) suspended while the load runs.
    static let suspendedIndices = Array(stride(from: 0, to: simCount, by: 2))
    /// `SIMGATE_WEBHOOKS_TIMEOUT` given to the instances, in seconds: attempts held at the
    /// receiver end soon after the gateway and receiver answer again.
    static let webhookTimeout = 2
    /// A dispatcher's claim on a delivery, renewed while its attempt runs. Failed before it
    /// was: the claim lasted three timeouts plus 30 s (36 s here), and a dead instance's
    /// deliveries waited that long.
    static var webhookLease: Duration { .seconds(WebhookDispatcher.lease) }
    /// The job scheduler's lease, as every instance runs it.
    static var jobLease: Duration { .seconds(JobScheduler.Settings().lease) }
    /// What a lease's end may be overrun by before the takeover counts as late: the survivors'
    /// poll interval, the work itself, and a small shared machine.
    static let slack: Duration = .seconds(10)

    @Test(
        "kill -9 one of three instances mid-load: every acknowledged accounting report counted once, its disconnects and webhooks taken over when the leases end",
        .enabled(if: TestEngine.available.contains(.postgres), "needs PostgreSQL (SIMGATE_TEST_POSTGRES_URL, or CI=true)")
    )
    func killOneInstanceMidLoad() async throws {
        let executable = SimulateCommandTests.executable.path
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build simgate first (swift build)")

        // One fresh schema, migrated once, its operator key made before any instance starts.
        let configuration = try await TestDatabase.freshConfiguration(.postgres)
        guard case .postgres(let databaseURL) = configuration else {
            Issue.record("a PostgreSQL test database is not a postgres:// URL: \(configuration)")
            return
        }
        let setup = try SimGateDatabase(configuration, logger: TestDatabase.logger)
        let madeKey = try await setup.withRunning {
            try await Migrator(database: setup, logger: TestDatabase.logger).migrate()
            return try await Administration(database: setup).bootstrapOperator()
        }
        let operatorKey = try #require(madeKey, "a fresh schema already had an operator")

        let launched = LaunchedInstances()
        defer { launched.killAll() }
        // The test reads the shared database only to learn what the killed instance held.
        let observer = try SimGateDatabase(configuration, logger: TestDatabase.logger)
        try await WebhookReceiver.serving { receiver in
            let coa = try await FakeGatewayCoAPort(secret: Self.radiusSecret)
            try await coa.serving {
                try await observer.withRunning {
                    defer { launched.killAll() }
                    try await Self.drill(
                        executable: executable, databaseURL: databaseURL, operatorKey: operatorKey, receiver: receiver, coa: coa,
                        observer: observer, launched: launched
                    )
                }
            }
        }
    }

    static func drill(
        executable: String, databaseURL: String, operatorKey: String, receiver: WebhookReceiver, coa: FakeGatewayCoAPort,
        observer: SimGateDatabase, launched: LaunchedInstances
    ) async throws {
        // Three instances, each with its own HTTP and RADIUS ports, the same secrets key, this
        // machine as their one RADIUS client (whose CoA port is the test's), webhooks allowed
        // to loopback.
        let (tcp, udp) = try await LoopbackPorts.pick(tcp: 3, udp: 6)
        let ports = (0..<3).map { ServeProcess.Ports(http: tcp[$0], radiusAuthentication: udp[2 * $0], radiusAccounting: udp[2 * $0 + 1]) }
        let environment = [
            "SIMGATE_RADIUS_CLIENTS": "127.0.0.1=\(radiusSecret)",
            "SIMGATE_RADIUS_COA_PORT": String(coa.port),
            "SIMGATE_WEBHOOKS_ALLOW_NETWORKS": "127.0.0.1",
            "SIMGATE_WEBHOOKS_TIMEOUT": String(webhookTimeout),
            "SIMGATE_SECRETS_KEY": Data((0..<32).map { _ in UInt8.random(in: .min ... .max) }).base64EncodedString(),
        ]
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("simgate-failover-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: logs) }
        func launch(_ number: Int) throws -> ServeProcess {
            launched.add(try ServeProcess.start(
                "simgate-\(number + 1)", executable: executable, database: databaseURL, ports: ports[number], environment: environment, logDirectory: logs
            ))
        }
        var instances = try (0..<3).map(launch)
        for instance in instances { try await instance.waitUntilHealthy(within: .seconds(60)) }
        let api = instances.map { InstanceAPI(base: $0.baseURL) }
        /// What the instances logged (warnings and errors), for a failure's message.
        func logTails() -> String { instances.map { "\n--- \($0.name):\n\($0.logTail(1_500))" }.joined() }

        // A customer, its key, a webhook endpoint for status changes, 40 SIMs made LIVE; each
        // call through a different instance.
        let account = try await api[1].call(.POST, "/v1/accounts", key: operatorKey, body: ["name": "Failover Fleet"])
        let accountID = try #require(account.json["id"] as? String, "\(account)")
        let apiKey = try await api[1].call(.POST, "/v1/api_keys", key: operatorKey, body: ["name": "drill", "account": accountID])
        let key = try #require(apiKey.json["secret"] as? String, "\(apiKey)")
        let endpoint = try await api[2].call(.POST, "/v1/webhook_endpoints", key: key, body: [
            "url": receiver.url, "event_types": ["sim.status_changed"], "max_concurrency": 50,
        ])
        let signingSecret = try #require(endpoint.json["secret"] as? String, "\(endpoint)")
        let endpointID = try #require(endpoint.json["id"] as? String, "\(endpoint)")
        let iccids = (0..<simCount).map(Fixtures.iccid)
        let imported = try await api[2].call(.POST, "/v1/sims/import", key: operatorKey, body: [
            "account": accountID, "sims": (0..<simCount).map { ["iccid": Fixtures.iccid($0), "imsi": Fixtures.imsi($0)] },
        ])
        var sessionOfSim: [String: String] = [:]
        for case let sim as [String: Any] in imported.json["data"] as? [Any] ?? [] {
            if let id = sim["id"] as? String, let iccid = sim["iccid"] as? String, let number = iccids.firstIndex(of: iccid) {
                sessionOfSim[id] = "pgw-\(number)"
            }
        }
        try #require(sessionOfSim.count == simCount, "\(imported)")
        let activated = try await api[0].call(.POST, "/v1/sims/bulk", key: key, body: ["action": "activate", "iccids": iccids])
        try #require(activated.json["succeeded"] as? Int == simCount, "\(activated)")
        let activations = await receiver.waitFor(simCount)
        try #require(Set(activations.map(\.id)).count == simCount, "the activations' status changes did not all reach the receiver once each: \(activations.count)")

        // The gateway opens one session per SIM, its reports spread over the three instances.
        let sessions = (0..<simCount).map { FailoverGateway.Session(id: "pgw-\($0)", imsi: Fixtures.imsi($0), index: $0) }
        let gateway = FailoverGateway(accountingPorts: ports.map(\.radiusAccounting), secret: radiusSecret, interimInterval: .milliseconds(250))
        async let load: Void = gateway.run(sessions)
        try #require(
            try await eventually(within: .seconds(30), wakingOn: gateway.changed) { gateway.fewestReports(of: sessions) >= 3 },
            "the sessions did not get going: fewest acknowledged reports \(gateway.fewestReports(of: sessions))"
        )

        // Suspend half the SIMs through the first instance while the gateway's CoA port drops
        // every Disconnect-Request and the receiver holds every webhook unanswered, so that
        // whoever took that work is still in the middle of it. That instance is killed.
        coa.answer(.silence)
        let receivedBefore = receiver.received.count
        receiver.script([], otherwise: .hang)
        let suspendedICCIDs = suspendedIndices.map(Fixtures.iccid)
        let suspended = try await api[0].call(.POST, "/v1/sims/bulk", key: key, body: [
            "action": "suspend", "iccids": suspendedICCIDs, "reason": "failover drill",
        ])
        try #require(suspended.json["succeeded"] as? Int == suspendedIndices.count, "\(suspended)")
        var victim: Int?
        let working = try await eventually(within: .seconds(15)) {
            guard !coa.received.isEmpty, receiver.received.count > receivedBefore else { return false }
            // The instance running most of the disconnect jobs (normally the one asked, whose
            // scheduler is woken by its own commit) is the one to kill.
            let holders = Dictionary(grouping: try await disconnectClaims(observer), by: \.pid).mapValues(\.count)
            let busiest = instances.indices.max { (holders[instances[$0].pid] ?? 0) < (holders[instances[$1].pid] ?? 0) }
            victim = busiest.flatMap { holders[instances[$0].pid] == nil ? nil : $0 }
            return victim != nil
        }
        try #require(working, "no instance was running the disconnects: \(coa.received.count) Disconnect-Requests, \(receiver.received.count - receivedBefore) webhooks")
        let dead = try #require(victim)
        let (deadName, deadPID) = (instances[dead].name, instances[dead].pid)
        instances[dead].kill()
        let killedAt = ContinuousClock.now
        // What it held when it died, still marked as its own in the shared tables.
        let heldSims = Set(try await disconnectClaims(observer).filter { $0.pid == deadPID }.map(\.sim))
        let heldDeliveries = Set(try await deliveryClaims(observer).filter { $0.pid == deadPID }.map(\.event))
        let receivedAtKill = receiver.received.count
        coa.answer(.ack)
        receiver.release()
        #expect(!heldSims.isEmpty, "the killed instance held no disconnect job")
        let heldSessions = Set(heldSims.compactMap { sessionOfSim[$0] })
        let survivor = api[(dead + 1) % 3]

        // Every suspended SIM's session gets its Disconnect-Request acknowledged, those the dead
        // instance held once its job lease has run out, and the answer is stored.
        let suspendedSessions = Set(suspendedIndices.map { "pgw-\($0)" })
        let disconnected = try await eventually(until: killedAt + jobLease + slack, wakingOn: coa.changed) {
            Set(coa.log.filter(\.acknowledged).map(\.sessionID)).isSuperset(of: suspendedSessions)
        }
        let unanswered = suspendedSessions.subtracting(coa.log.filter(\.acknowledged).map(\.sessionID))
        #expect(disconnected, "no acknowledged Disconnect-Request \(jobLease + slack) after the kill for \(unanswered.sorted())\(logTails())")
        let disconnectsDone = ContinuousClock.now
        var outcomes: [String: String] = [:]
        let recorded = try await eventually(within: .seconds(15)) {
            outcomes = try await disconnectOutcomes(survivor, key: key, iccids: suspendedICCIDs)
            return outcomes.values.allSatisfy { $0 == "acked" }
        }
        #expect(recorded, "stored disconnect outcomes: \(outcomes.sorted { $0.key < $1.key })\(logTails())")

        // The killed instance comes back on its ports and takes reports again.
        let restarted = try launch(dead)
        try await restarted.waitUntilHealthy(within: .seconds(60))
        instances[dead] = restarted
        let restartedAt = ContinuousClock.now
        let servesAgain = try await eventually(within: .seconds(20), wakingOn: gateway.changed) {
            gateway.acknowledgements.filter { $0.target == dead && $0.at > restartedAt }.count >= 5
        }
        #expect(servesAgain, "the restarted instance acknowledged no accounting")

        // Every session stops; each SIM's stored usage is its last acknowledged counters.
        gateway.finish()
        await load
        #expect(gateway.abandoned.isEmpty, "reports no instance acknowledged: \(gateway.abandoned)")
        #expect(gateway.failovers > 0, "no report had to go to another instance: the kill missed the load")
        let expected = gateway.lastAcknowledged
        var stored: [String: FailoverGateway.Counters] = [:]
        let counted = try await eventually(within: .seconds(15)) {
            stored = try await storedUsage(survivor, key: key, sessions: sessions)
            return stored == expected
        }
        for session in sessions {
            #expect(stored[session.id] == expected[session.id], "\(session.id): stored \(String(describing: stored[session.id])), acknowledged \(String(describing: expected[session.id]))")
        }
        #expect(counted, "stored usage is not what the gateway had acknowledged\(logTails())")

        // Disconnect-Requests: none for a SIM still LIVE; for a suspended SIM at least one, and
        // a second only where the instance running its job died (README: a job runs again
        // elsewhere only then).
        var askedTwice: [String] = []
        for session in sessions {
            let requests = coa.log.filter { $0.sessionID == session.id }
            let distinct = Set(requests.map(\.authenticator)).count
            if !suspendedSessions.contains(session.id) {
                #expect(requests.isEmpty, "\(session.id) is LIVE but got \(requests.count) Disconnect-Request(s)")
            } else if heldSessions.contains(session.id) {
                #expect((1...2).contains(distinct), "\(session.id): \(distinct) distinct Disconnect-Requests")
                if distinct > 1 { askedTwice.append(session.id) }
            } else {
                #expect(distinct == 1, "\(session.id): its job ran on a live instance, yet \(distinct) distinct Disconnect-Requests")
            }
        }
        #expect(coa.forged == 0, "datagrams at the CoA port that were not authentic Disconnect-Requests: \(coa.forged)")

        // Webhooks: every status change reached the receiver and was answered there, those
        // the dead instance held sent again after the kill once their lease ran out; SimGate
        // counts each delivery succeeded; a repeat is the same message.
        let events = try await statusChangeEvents(survivor, key: key)
        #expect(events.count == simCount + suspendedIndices.count, "\(events.count) sim.status_changed events")
        // The receiver answered every request except those it held from before the kill until
        // after it: the ones the dead instance had sent never got their answer.
        func answered() -> Set<String> {
            let receipts = receiver.received
            return Set(receipts.indices.filter { index in
                index < receivedBefore || index >= receivedAtKill || !heldDeliveries.contains(receipts[index].id)
            }.map { receipts[$0].id })
        }
        var succeeded: Set<String> = []
        let delivered = try await eventually(until: killedAt + webhookLease + slack) {
            guard answered().isSuperset(of: events) else { return false }
            succeeded = try await succeededDeliveries(survivor, key: key, endpoint: endpointID)
            return succeeded.isSuperset(of: events)
        }
        #expect(delivered, """
            status changes not delivered \(webhookLease + slack) after the kill: never answered at the receiver \
            \(events.subtracting(answered()).sorted()), not succeeded in SimGate \(events.subtracting(succeeded).sorted())\(logTails())
            """)
        let webhooksDone = ContinuousClock.now
        let receipts = receiver.received
        let afterKill = Set(receipts[receivedAtKill...].map(\.id))
        #expect(heldDeliveries.isSubset(of: afterKill), "deliveries the dead instance held, never sent again: \(heldDeliveries.subtracting(afterKill).sorted())")
        var firstBody: [String: Data] = [:]
        for receipt in receipts {
            let eventID = (receipt.json["data"] as? [String: Any])?["id"] as? String
            #expect(receipt.id == eventID, "webhook-id \(receipt.id) on a delivery of \(eventID ?? "nothing")")
            #expect(receipt.type == "sim.status_changed")
            #expect(SignatureCheck.verifies(receipt, secret: signingSecret), "delivery \(receipt.id) is not signed with the endpoint's secret")
            if let first = firstBody[receipt.id] {
                #expect(first == receipt.body, "a repeat of \(receipt.id) carries another body")
            } else {
                firstBody[receipt.id] = receipt.body
            }
        }

        print("""
            failover drill: killed \(deadName) (pid \(deadPID)) holding \(heldSims.count) disconnect job(s) \
            and \(heldDeliveries.count) webhook delivery claim(s); accounting: \(gateway.acknowledgements.count) reports acknowledged, \
            \(gateway.failovers) resent to another instance; disconnects: all acknowledged \(disconnectsDone - killedAt) after the kill \
            (job lease \(jobLease)), \(askedTwice.count) session(s) asked twice; webhooks: \(events.count) events, all delivered \
            \(webhooksDone - killedAt) after the kill (delivery lease \(webhookLease)), \(receipts.count - firstBody.count) repeat(s) \
            with the same webhook-id
            """)
    }

    // MARK: - Reading what happened

    /// Waits until `condition` holds (true) or `deadline` passes (false). A condition on what
    /// the test's own gateway or CoA port saw is checked again each time `bell` rings; one on
    /// another process's state (the shared tables, another instance's API), which nothing can
    /// push here, is looked at again every 100 ms.
    static func eventually(
        until deadline: ContinuousClock.Instant, wakingOn bell: Doorbell? = nil, _ condition: () async throws -> Bool
    ) async throws -> Bool {
        while true {
            if try await condition() { return true }
            let left = deadline - .now
            if left <= .zero { return false }
            if let bell {
                await bell.wait(upTo: left)
            } else {
                try await Task.sleep(for: min(left, .milliseconds(100)))
            }
        }
    }

    static func eventually(within limit: Duration, wakingOn bell: Doorbell? = nil, _ condition: () async throws -> Bool) async throws -> Bool {
        try await eventually(until: .now + limit, wakingOn: bell, condition)
    }

    /// A claim held in the shared database, by the process id its worker names itself with
    /// (`host:pid:tag` for the job scheduler, `webhooks:pid:tag` for the dispatcher).
    struct Claim: Sendable {
        let pid: Int32
        let sim: String
        let event: String
    }

    static func workerPID(_ worker: String?) -> Int32? {
        guard let parts = worker?.split(separator: ":"), parts.count >= 3 else { return nil }
        return Int32(parts[parts.count - 2])
    }

    /// Disconnect jobs some worker is running now, with the SIM each is for.
    static func disconnectClaims(_ database: SimGateDatabase) async throws -> [Claim] {
        try await database.sqlRead { db in
            try await db.raw("SELECT locked_by, payload FROM jobs WHERE kind = 'radius.disconnect' AND state = 'running'").all().compactMap { row in
                let payload = try row.decode(column: "payload", as: String.self)
                let sim = (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) as? [String: Any]
                guard let pid = workerPID(try row.decode(column: "locked_by", as: String?.self)), let id = sim?["sim"] as? String else { return nil }
                return Claim(pid: pid, sim: id, event: "")
            }
        }
    }

    /// Webhook deliveries some dispatcher is sending now, with the event each carries.
    static func deliveryClaims(_ database: SimGateDatabase) async throws -> [Claim] {
        try await database.sqlRead { db in
            try await db.raw("SELECT locked_by, message_id FROM webhook_deliveries WHERE state = 'delivering'").all().compactMap { row in
                guard let pid = workerPID(try row.decode(column: "locked_by", as: String?.self)) else { return nil }
                return Claim(pid: pid, sim: "", event: try row.decode(column: "message_id", as: String.self))
            }
        }
    }

    /// Each SIM's stored usage (all its periods), keyed by its session at the gateway.
    static func storedUsage(_ api: InstanceAPI, key: String, sessions: [FailoverGateway.Session]) async throws -> [String: FailoverGateway.Counters] {
        var usage: [String: FailoverGateway.Counters] = [:]
        for session in sessions {
            let reply = try await api.call(.GET, "/v1/sims/\(Fixtures.iccid(session.index))/usage?granularity=month", key: key)
            var total = FailoverGateway.Counters(input: 0, output: 0)
            for case let period as [String: Any] in reply.json["data"] as? [Any] ?? [] {
                total.input += UInt64((period["bytes_up"] as? Int) ?? 0)
                total.output += UInt64((period["bytes_down"] as? Int) ?? 0)
            }
            usage[session.id] = total
        }
        return usage
    }

    /// The stored answer to the latest Disconnect-Request of each SIM's newest session.
    static func disconnectOutcomes(_ api: InstanceAPI, key: String, iccids: [String]) async throws -> [String: String] {
        var outcomes: [String: String] = [:]
        for iccid in iccids {
            let reply = try await api.call(.GET, "/v1/sims/\(iccid)/sessions", key: key)
            let session = (reply.json["data"] as? [Any])?.first as? [String: Any]
            outcomes[iccid] = (session?["disconnect"] as? [String: Any])?["outcome"] as? String ?? "none"
        }
        return outcomes
    }

    /// The events (`webhook-id`s) of an endpoint's deliveries that SimGate counts as succeeded.
    static func succeededDeliveries(_ api: InstanceAPI, key: String, endpoint: String) async throws -> Set<String> {
        var ids: Set<String> = []
        var cursor: String?
        for _ in 0..<20 {
            let path = "/v1/webhook_endpoints/\(endpoint)/deliveries?state=succeeded&limit=100" + (cursor.map { "&starting_after=\($0)" } ?? "")
            let reply = try await api.call(.GET, path, key: key)
            let page = (reply.json["data"] as? [Any] ?? []).compactMap { $0 as? [String: Any] }
            ids.formUnion(page.compactMap { $0["message_id"] as? String })
            guard reply.json["has_more"] as? Bool == true, let last = page.last?["id"] as? String else { break }
            cursor = last
        }
        return ids
    }

    /// The ids of the account's `sim.status_changed` events.
    static func statusChangeEvents(_ api: InstanceAPI, key: String) async throws -> Set<String> {
        var ids: Set<String> = []
        var cursor: String?
        for _ in 0..<20 {
            let reply = try await api.call(.GET, "/v1/events?type=sim.status_changed&limit=100" + (cursor.map { "&starting_after=\($0)" } ?? ""), key: key)
            let page = (reply.json["data"] as? [Any] ?? []).compactMap { ($0 as? [String: Any])?["id"] as? String }
            ids.formUnion(page)
            guard reply.json["has_more"] as? Bool == true, let last = page.last else { break }
            cursor = last
        }
        return ids
    }
}

/// Every instance the test started, so that all are killed however the test ends.
final class LaunchedInstances: Sendable {
    private let all = Mutex<[ServeProcess]>([])

    func add(_ instance: ServeProcess) -> ServeProcess {
        all.withLock { $0.append(instance) }
        return instance
    }

    func killAll() {
        for instance in all.withLock({ $0 }) { instance.kill() }
    }
}

/// One instance's HTTP API, spoken over real HTTP.
struct InstanceAPI: Sendable {
    let base: String

    func call(_ method: HTTPMethod, _ path: String, key: String, body: [String: Any]? = nil) async throws -> (status: Int, json: [String: Any]) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: Array(try JSONSerialization.data(withJSONObject: body))))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(15))
        let bytes = try await response.body.collect(upTo: 8 << 20)
        let json = (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))) as? [String: Any] ?? [:]
        return (Int(response.status.code), json)
    }
}
