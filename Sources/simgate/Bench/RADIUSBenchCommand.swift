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
/// Interim-Updates, then Stop, with 3GPP attributes as a packet gateway sends them.
///
/// The sender is SimGate's own pipelined one (a few sockets with many requests in flight
/// each), or with `--radclient` FreeRADIUS's radclient replaying the same requests from packet
/// files. With `--freeradius` the same files are first replayed at FreeRADIUS writing detail
/// files, and both figures are printed side by side with their ratio. With `--rounds N` that
/// is done N times over, with fresh sessions each round, and each round's ratio is printed
/// with their median: one run's ratio moved with the machine's drift.
///
/// Prints accounting updates per second, each server's CPU seconds per 100,000 updates (read
/// from /proc, so the load generator is not counted), Access-Request latency while accounting
/// runs and at rest, and whether any update was lost or counted twice (stored totals against
/// what was sent). With `--freeradius` a last phase sends fresh sessions with the own sender,
/// paced at the rate FreeRADIUS reached, and times Access-Requests meanwhile: the latency the
/// goal names, "while accounting runs at that rate", rather than under a flood that takes
/// every core the load generator leaves. Last, a flood of fresh sessions from the own sender
/// times API writes (suspend, then activate) while accounting holds the one SQLite writer: on
/// a load of its own, as the phases before are compared with FreeRADIUS, which has no API.
struct RADIUSBenchCommand: AsyncParsableCommand {
    /// `simgate bench radius`, with its one-line summary.
    static let configuration = CommandConfiguration(
        commandName: "radius", abstract: "Accounting updates/s, server CPU and Access-Request latency over UDP, optionally beside FreeRADIUS."
    )

    /// `--updates`: Accounting-Requests of the measured load (Start, Interim-Update and Stop each
    /// count); the paced phase and the API writes' flood send more of their own.
    @Option(help: "Accounting updates in the measured load (Start, Interim-Update and Stop all count; later phases send their own).") var updates = 100_000
    /// `--sessions`: sessions, one SIM each, that the updates are spread over.
    @Option(help: "Sessions (one SIM each) the updates are spread over.") var sessions = 2_000
    /// `--sockets`: UDP sockets sending side by side (own sender).
    @Option(help: "UDP sockets sending at once (SimGate's own sender).") var sockets = 4
    /// `--window`: requests in flight per socket; capped at 255, as identifiers are one octet.
    @Option(help: "Requests in flight per socket (at most 255; SimGate's own sender).") var window = 128
    /// `--rate`: paces the own sender; unpaced (as fast as the windows allow) when absent.
    @Option(help: "Updates per second for SimGate's own sender (default: as fast as its windows allow).") var rate: Double?
    /// `--samples`: Access-Requests timed one after another once the load is done.
    @Option(help: "Access-Requests timed one by one at rest, after the load.") var samples = 500
    /// `--radclient`: send with FreeRADIUS's radclient instead of the built-in sender.
    @Flag(help: "Send the accounting with FreeRADIUS's radclient, from packet files.") var radclient = false
    /// `--freeradius`: replay the same packet files at FreeRADIUS first and print the ratio.
    @Flag(help: "Also replay the same packet files at FreeRADIUS writing detail files, and print the ratio (implies --radclient).") var freeradius = false
    /// `--rounds`: measured loads replayed one after another, each at FreeRADIUS and then at
    /// SimGate. The machine's own drift from one run to the next (other tenants of the host,
    /// its caches) moved the ratio by more than the differences it was meant to show; rounds
    /// set side by side in one run, and their median, move less.
    @Option(help: "Rounds of the measured load, each with fresh sessions replayed at FreeRADIUS and then at SimGate; the median ratio is printed (needs --radclient or --freeradius).") var rounds = 1
    /// `--radclients`: radclient processes sending at once.
    @Option(help: "radclient processes sending at once.") var radclients = 2
    /// `--radclient-window`: requests each radclient keeps in flight (its -p). radclient 3.2.1
    /// stops retransmitting and waits forever when given more than 255 (one socket's ids).
    @Option(help: "Requests each radclient keeps in flight (its -p; radclient 3.2.1 stalls above 255).") var radclientWindow = 255
    /// `--radclient-path`: the radclient executable (Debian's freeradius-utils).
    @Option(help: "The radclient executable.") var radclientPath = "/usr/bin/radclient"
    /// `--freeradius-path`: the FreeRADIUS server executable (Debian's freeradius).
    @Option(help: "The FreeRADIUS server executable.") var freeradiusPath = "/usr/sbin/freeradius"
    /// `--freeradius-config`: the configuration the reference is made from.
    @Option(help: "The FreeRADIUS configuration directory to start from.") var freeradiusConfig = "/etc/freeradius/3.0"

    /// The shared secret configured for client 127.0.0.1 and used to sign every request.
    static let secret = "bench-radius-secret"

    /// Refuses a window the own sender cannot keep (identifiers are one octet).
    func validate() throws {
        guard (1...255).contains(window) else { throw ValidationError("--window must be 1 to 255") }
        guard radclients >= 1, radclientWindow >= 1 else { throw ValidationError("--radclients and --radclient-window must be at least 1") }
        guard sessions >= 1, updates >= sessions else { throw ValidationError("--updates must be at least --sessions, which must be at least 1") }
        guard (1...20).contains(rounds) else { throw ValidationError("--rounds must be 1 to 20") }
        guard rounds == 1 || radclient || freeradius else { throw ValidationError("--rounds replays radclient's packet files: add --radclient or --freeradius") }
        if let rate {
            guard rate >= 1, rate.isFinite else { throw ValidationError("--rate must be at least 1 update per second") }
            guard !radclient, !freeradius else { throw ValidationError("--rate paces SimGate's own sender; radclient cannot be paced") }
        }
    }

    /// Makes a temporary database with an operator key, starts `simgate serve` on free ports, measures.
    func run() async throws {
        let scratch = try ScratchDirectory(prefix: "simgate-bench")
        defer { scratch.remove() }
        let databasePath = scratch.path("bench.sqlite")

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

    /// How long one radclient may run before it is taken to have stalled: a minute, or
    /// longer for loads that would take 200 updates/s more than that.
    var radclientLimit: Duration { .seconds(max(60, updates / 200)) }

    /// One server's figures under the accounting load.
    struct LoadFigures {
        /// Updates answered.
        let answered: Int
        /// Wall-clock seconds the load took.
        let seconds: Double
        /// The server's user + system CPU seconds over the load.
        let cpu: Double
        /// Transactions the server committed accounting in over the load (SimGate only).
        var commits: Int?
        /// API writes timed during the load (the API writes' own flood only).
        var writes: WriteSampler.Samples?

        /// The figures of several loads run one after another, as one load.
        static func total(_ loads: [LoadFigures]) -> LoadFigures {
            let commits = loads.allSatisfy { $0.commits != nil } ? loads.reduce(0) { $0 + ($1.commits ?? 0) } : nil
            return LoadFigures(
                answered: loads.reduce(0) { $0 + $1.answered }, seconds: loads.reduce(0) { $0 + $1.seconds }, cpu: loads.reduce(0) { $0 + $1.cpu },
                commits: commits
            )
        }

        var perSecond: Double { Double(answered) / seconds }
        var cpuPer100k: Double { cpu * 100_000 / Double(answered) }
        /// ", in N commits of M updates on average", when the commits are known.
        var commitsText: String {
            guard let commits, commits > 0 else { return "" }
            return String(format: ", in %d commits of %.1f updates on average", commits, Double(answered) / Double(commits))
        }
    }

    private func measure(_ client: BenchClient, operatorKey: String, server: ServerProcess, authPort: Int, accountingPort: Int) async throws {
        try await client.waitUntilUp(serverRuns: { server.isRunning })
        let usesRadclient = radclient || freeradius
        let sender = usesRadclient ? "\(radclients) radclient processes x \(radclientWindow) in flight" : "\(sockets) sockets x \(window) in flight"
        let perRound = rounds > 1 ? " a round, \(rounds) rounds," : ""
        print("SimGate bench: radius, \(updates) accounting updates\(perRound) over \(sessions) sessions, \(sender), SQLite")
        // The SIMs whose sessions are reported belong to a customer and are LIVE, as SIMs that
        // open data sessions are: in stock, each new session would be one to disconnect (an
        // event, a job and Disconnect-Requests to a gateway that is not there).
        let fleetID = try await client.createAccount(named: "Bench fleet", operatorKey: operatorKey)
        let imsis = try await RADIUSBenchLoad.prepareSims(client, operatorKey: operatorKey, count: sessions, account: fleetID)
        // One LIVE SIM more, on an account of its own: the API's writes take turns on it while accounting runs.
        let accountID = try await client.createAccount(named: "Bench writes", operatorKey: operatorKey)
        _ = try await RADIUSBenchLoad.prepareSims(client, operatorKey: operatorKey, count: 1, first: sessions, account: accountID)
        let load = RADIUSBenchLoad(imsis: imsis, updates: updates, secret: Array(Self.secret.utf8))

        let figures: LoadFigures
        var reference: LoadFigures?
        var referenceDuringLoad: AccessSampler.Samples?
        var referencePaced: LoadFigures?
        var duringLoad: AccessSampler.Samples
        var sent = RADIUSBenchLoad.Bytes(up: 0, down: 0)
        // Each round's CPU per update against FreeRADIUS's, lowest first.
        var roundRatios: [Double] = []
        if usesRadclient {
            let scratch = try ScratchDirectory(prefix: "simgate-radclient")
            defer { scratch.remove() }
            let freeRADIUS = freeradius ? try await startFreeRADIUS(directory: scratch.url, userName: imsis[0]) : nil
            defer { freeRADIUS?.stop() }
            var measured: [(simgate: LoadFigures, freeRADIUS: LoadFigures?)] = []
            var samples: [AccessSampler.Samples] = []
            var referenceSamples: [AccessSampler.Samples] = []
            for round in 1...rounds {
                // Each round reports sessions of its own: a replay of the same sessions would
                // only repeat counters already stored, which adds no usage and costs less.
                let roundLoad = round == 1 ? load : RADIUSBenchLoad(imsis: imsis, updates: updates, secret: Array(Self.secret.utf8), sessionPrefix: "round\(round)")
                let files = try writeRadclientFiles(roundLoad, into: scratch.url.appendingPathComponent("round-\(round)"))
                if round == 1 { print("packet files: \(files.count) a round in \(scratch.url.path)/round-N (radclient -f)") }
                var referenceRound: LoadFigures?
                if let freeRADIUS {
                    let (replayed, replaySamples) = try await freeRADIUS.replay(files)
                    referenceRound = replayed
                    referenceSamples.append(replaySamples)
                }
                let roundSampler = Self.accessSampler(port: authPort, userName: imsis[0])
                let (simgate, simgateSamples) = try await whileSampling(roundSampler, cpuSeconds: server.cpuSeconds, commits: { try await Self.commits(client) }) { [radclientWindow, radclientPath, radclientLimit] in
                    try await RadclientReplay.run(
                        files: files, port: accountingPort, secret: Self.secret, window: radclientWindow, radclient: URL(fileURLWithPath: radclientPath),
                        limit: radclientLimit
                    )
                }
                samples.append(simgateSamples)
                measured.append((simgate, referenceRound))
                sent = sent + roundLoad.expectedBytes
                if rounds > 1 { print(Self.roundLine(round, of: rounds, simgate: simgate, freeRADIUS: referenceRound)) }
            }
            figures = LoadFigures.total(measured.map(\.simgate))
            duringLoad = AccessSampler.Samples.merged(samples)
            if let freeRADIUS {
                let total = LoadFigures.total(measured.compactMap(\.freeRADIUS))
                reference = total
                referenceDuringLoad = AccessSampler.Samples.merged(referenceSamples)
                referencePaced = try await freeRADIUS.paced(pacedLoad(imsis: imsis, rate: total.perSecond), rate: total.perSecond)
                print("FreeRADIUS detail files hold \(freeRADIUS.reference.detailRecords()) records for \(total.answered + (referencePaced?.answered ?? 0)) answered updates")
            }
            roundRatios = measured.compactMap { round in round.freeRADIUS.map { round.simgate.cpuPer100k / $0.cpuPer100k } }.sorted()
        } else {
            let sampler = Self.accessSampler(port: authPort, userName: imsis[0])
            (figures, duringLoad) = try await whileSampling(sampler, cpuSeconds: server.cpuSeconds, commits: { try await Self.commits(client) }) { [sockets, window, rate] in
                try await Self.sendOwn(load, sockets: sockets, window: window, perSecond: rate, port: accountingPort)
            }
            sent = load.expectedBytes
        }

        print(String(format: "SimGate accounting:    %d updates answered in %.2f s = %.0f per second, server CPU %.2f s per 100,000 updates",
                     figures.answered, figures.seconds, figures.perSecond, figures.cpuPer100k) + figures.commitsText)
        if let reference {
            print(String(format: "FreeRADIUS accounting: %d updates answered in %.2f s = %.0f per second, server CPU %.2f s per 100,000 updates (detail files)",
                         reference.answered, reference.seconds, reference.perSecond, reference.cpuPer100k))
            print(String(format: "SimGate / FreeRADIUS: %.2fx the updates per second, %.2fx the CPU per update",
                         figures.perSecond / reference.perSecond, figures.cpuPer100k / reference.cpuPer100k))
        }
        if roundRatios.count > 1 {
            print(String(format: "SimGate / FreeRADIUS over %d rounds, CPU per update: median %.2fx, lowest %.2fx, highest %.2fx",
                         roundRatios.count, Self.median(roundRatios), roundRatios[0], roundRatios[roundRatios.count - 1]))
        }

        var paced: (rate: Double, figures: LoadFigures, samples: AccessSampler.Samples)?
        if let reference {
            // Fresh sessions on the same SIMs, about 15 seconds of them at FreeRADIUS's rate.
            let rate = reference.perSecond
            let pacedLoad = pacedLoad(imsis: imsis, rate: rate)
            let pacedSampler = Self.accessSampler(port: authPort, userName: imsis[0])
            let (pacedFigures, pacedSamples) = try await whileSampling(pacedSampler, cpuSeconds: server.cpuSeconds, commits: { try await Self.commits(client) }) { [sockets, window] in
                try await Self.sendOwn(pacedLoad, sockets: sockets, window: window, perSecond: rate, port: accountingPort)
            }
            paced = (rate, pacedFigures, pacedSamples)
            sent = sent + pacedLoad.expectedBytes
            print(String(format: "SimGate paced at FreeRADIUS's rate (%.0f/s, own sender): %d updates in %.2f s = %.0f per second, server CPU %.2f s per 100,000 updates",
                         rate, pacedFigures.answered, pacedFigures.seconds, pacedFigures.perSecond, pacedFigures.cpuPer100k) + pacedFigures.commitsText)
            if let referencePaced {
                print(String(format: "FreeRADIUS paced the same (own sender): %d updates in %.2f s = %.0f per second, server CPU %.2f s per 100,000 updates",
                             referencePaced.answered, referencePaced.seconds, referencePaced.perSecond, referencePaced.cpuPer100k))
                print(String(format: "SimGate / FreeRADIUS, both paced at %.0f/s: %.2fx the CPU per update", rate, pacedFigures.cpuPer100k / referencePaced.cpuPer100k))
            }
        }
        // The API's writes while accounting floods in, on a load of their own: the runs above
        // are compared with FreeRADIUS's, which serves only the accounting and Access-Requests,
        // and API writes running beside them cost SimGate about 5% more CPU per update.
        // As many updates as the measured load answered in 15 seconds: a few seconds of writes
        // (about a hundred of them), as the own sender unpaced is at least as fast. (Access-Requests
        // are timed as in every phase, so the server does the same work; they are not printed.)
        let writesUpdates = figures.perSecond.isFinite ? max(2 * sessions, Int(min(figures.perSecond * 15, 10_000_000))) : 2 * sessions
        let writesLoad = RADIUSBenchLoad(imsis: imsis, updates: writesUpdates, secret: Array(Self.secret.utf8), sessionPrefix: "writes")
        let writesSampler = Self.accessSampler(port: authPort, userName: imsis[0])
        let writes = WriteSampler(client: client, key: operatorKey, iccid: RADIUSBenchLoad.iccid(sessions))
        let (writesFigures, _) = try await whileSampling(writesSampler, writes: writes, cpuSeconds: server.cpuSeconds) { [sockets, window] in
            try await Self.sendOwn(writesLoad, sockets: sockets, window: window, perSecond: nil, port: accountingPort)
        }
        sent = sent + writesLoad.expectedBytes
        guard let written = writesFigures.writes, !written.durations.isEmpty else {
            throw BenchError("no API write was timed during the accounting flood meant for them (\(writesFigures.answered) updates in \(writesFigures.seconds) s)")
        }
        print(String(format: "API suspend/activate during an accounting flood of its own (%d updates at %.0f/s, own sender; one write every 50 ms): ",
                     writesFigures.answered, writesFigures.perSecond) + summary(written))
        let stored = try await storedBytes(client, operatorKey: operatorKey)
        print("usage stored: \(stored.up) bytes up, \(stored.down) down; sent: \(sent.up) up, \(sent.down) down -> "
              + (stored == sent ? "nothing lost or doubled" : "MISMATCH"))
        print("Access-Request -> Access-Accept while accounting runs: " + summary(duringLoad))
        if let referenceDuringLoad { print("  FreeRADIUS, the same while its accounting ran: " + summary(referenceDuringLoad)) }
        if let paced {
            print(String(format: "Access-Request -> Access-Accept while SimGate's accounting runs at FreeRADIUS's rate (%.0f/s): ", paced.rate) + summary(paced.samples))
        }
        let atRest = Self.accessSampler(port: authPort, userName: imsis[0])
        print("Access-Request -> Access-Accept at rest: " + summary(try await atRest.sample(count: samples)))
        let writesAtRest = WriteSampler(client: client, key: operatorKey, iccid: RADIUSBenchLoad.iccid(sessions))
        print("API suspend/activate at rest: " + summary(try await writesAtRest.sample(count: 2 * max(1, samples / 10), pause: .milliseconds(5))))
        // Every figure is printed first; then a run that lost or doubled usage fails.
        guard stored == sent else { throw BenchError("the usage stored is not the usage sent: accounting was lost or counted twice") }
    }

    /// Sends `load` with the own sender, `sockets` sockets of `window` requests in flight each,
    /// sharing `perSecond` between them when it is given.
    static func sendOwn(_ load: RADIUSBenchLoad, sockets: Int, window: Int, perSecond: Double?, port: Int) async throws -> RadclientReplay.Outcome {
        let streams = load.packets(sockets: sockets)
        let target = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        let start = ContinuousClock.now
        let outcomes = try await withThrowingTaskGroup(of: RADIUSPipeline.Outcome.self) { group in
            for stream in streams {
                group.addTask { try await RADIUSPipeline.send(stream, to: target, window: window, perSecond: perSecond.map { $0 / Double(sockets) }) }
            }
            return try await group.reduce(into: [RADIUSPipeline.Outcome]()) { $0.append($1) }
        }
        let retransmissions = outcomes.reduce(0) { $0 + $1.retransmissions }
        if retransmissions > 0 { print("(\(retransmissions) requests retransmitted after 1 s of silence)") }
        return RadclientReplay.Outcome(seconds: (ContinuousClock.now - start).asSeconds, answered: outcomes.reduce(0) { $0 + $1.answered }, lost: 0)
    }

    /// Runs `load` while timing an Access-Request every 5 ms, and reads the server's CPU around
    /// it. Both servers are measured this way, so their CPU per update covers the same
    /// Access-Requests as well as the accounting.
    func whileSampling(
        _ sampler: AccessSampler, writes: WriteSampler? = nil, cpuSeconds: () -> Double, commits: () async throws -> Int? = { nil },
        _ load: @escaping @Sendable () async throws -> RadclientReplay.Outcome
    ) async throws -> (LoadFigures, AccessSampler.Samples) {
        let commitsBefore = try await commits()
        let cpuBefore = cpuSeconds()
        async let samples = sampler.sample(count: .max, pause: .milliseconds(5))
        async let writeSamples = writes?.sample(pause: .milliseconds(50))
        let outcome: RadclientReplay.Outcome
        do {
            outcome = try await load()
        } catch {
            sampler.stop()
            writes?.stop()
            _ = try? await samples
            _ = try? await writeSamples
            throw error
        }
        sampler.stop()
        writes?.stop()
        let written = try await writeSamples
        let accessSamples = try await samples
        // What the server still does once the load is answered (SimGate copying its log into
        // the database in the background, say) is the load's cost too, and must not fall into
        // the next phase, the other server's: the CPU is read once it has stopped moving.
        let cpu = await Self.settled(cpuSeconds) - cpuBefore
        if outcome.lost > 0 { print("(\(outcome.lost) requests got no answer after radclient's retries)") }
        let commitsAfter = try await commits()
        let committed = commitsBefore.flatMap { before in commitsAfter.map { $0 - before } }
        return (LoadFigures(answered: outcome.answered, seconds: outcome.seconds, cpu: cpu, commits: committed, writes: written), accessSamples)
    }

    /// The server's CPU seconds once they have grown by less than 2 ms over 100 ms (an idle
    /// server's timers take far less), or after 2 seconds at most.
    static func settled(_ cpuSeconds: () -> Double) async -> Double {
        var last = cpuSeconds()
        for _ in 0..<20 {
            try? await Task.sleep(for: .milliseconds(100))
            let now = cpuSeconds()
            if now - last < 0.002 { return now }
            last = now
        }
        return last
    }

    /// Accounting transactions the server has committed so far, from its `/metrics`.
    private static func commits(_ client: BenchClient) async throws -> Int? {
        let text = String(decoding: try await client.send(.GET, "/metrics").body, as: UTF8.self)
        let prefix = "simgate_radius_accounting_batch_size_count "
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return nil }
        return Int(line.dropFirst(prefix.count))
    }

    /// A new sampler of Access-Requests for `userName` at `port`, signed with the bench's
    /// secret. A sampler samples once (``AccessSampler/stop()`` ends it for good), so each
    /// phase makes its own.
    static func accessSampler(port: Int, userName: String) -> AccessSampler {
        AccessSampler(port: port, userName: userName, secret: Array(secret.utf8))
    }

    /// The paced phase's load: fresh sessions on the same SIMs, about 15 seconds of them at `rate`.
    func pacedLoad(imsis: [String], rate: Double) -> RADIUSBenchLoad {
        RADIUSBenchLoad(imsis: imsis, updates: max(2 * sessions, Int(rate * 15)), secret: Array(Self.secret.utf8), sessionPrefix: "paced")
    }

    private func summary(_ written: WriteSampler.Samples) -> String {
        LatencySummary(written.durations).preciseText(note: written.failed > 0 ? "\(written.failed) not 200, the first: \(written.firstFailure ?? "-")" : nil)
    }

    private func summary(_ samples: AccessSampler.Samples) -> String {
        LatencySummary(samples.durations).preciseText(note: samples.unanswered > 0 ? "\(samples.unanswered) unanswered within 1 s" : nil)
    }

    /// Every byte stored, from the account-wide monthly totals.
    private func storedBytes(_ client: BenchClient, operatorKey: String) async throws -> RADIUSBenchLoad.Bytes {
        let reply = try await client.send(.GET, "/v1/usage?granularity=month", key: operatorKey)
        let rows = reply.json["data"] as? [[String: Any]] ?? []
        return rows.reduce(RADIUSBenchLoad.Bytes(up: 0, down: 0)) {
            RADIUSBenchLoad.Bytes(up: $0.up + (($1["bytes_up"] as? Int).map(UInt64.init) ?? 0), down: $0.down + (($1["bytes_down"] as? Int).map(UInt64.init) ?? 0))
        }
    }
}
