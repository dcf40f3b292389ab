import ArgumentParser
import AsyncHTTPClient
import Foundation
import SimGateRADIUS
import SimGateServer

/// `simgate simulate`: plays a fleet of devices against a running SimGate over real RADIUS,
/// the way a packet gateway would report them: each device asks for access, opens a data
/// session, sends interim updates with growing counters, sometimes roams to another country,
/// stops, and starts again, until the time is up. Then it prints what happened.
struct SimulateCommand: AsyncParsableCommand {
    /// `simgate simulate`, with help on giving it the server's RADIUS secret.
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Play a fleet of devices against a running SimGate over RADIUS.",
        discussion: """
            The SIMs are those the API key can see (the operator's key sees all). Start the server with a \
            RADIUS client for this machine, e.g. SIMGATE_RADIUS_CLIENTS=127.0.0.1=testing123, and give the \
            same secret here (or the same SIMGATE_RADIUS_CLIENTS variable). The RADIUS address and ports \
            default to the server's own settings (SIMGATE_RADIUS_HOST, SIMGATE_RADIUS_AUTH_PORT, \
            SIMGATE_RADIUS_ACCT_PORT). Exits with status 1 when SimGate answered nothing.
            """
    )

    /// `--key`: the API key whose visible SIMs become the simulated devices.
    @Option(help: "An API key of the account whose SIMs to play (sgk_...).") var key: String
    /// `--url`: SimGate's HTTP base URL, where the SIMs are listed.
    @Option(help: "SimGate's HTTP address.") var url = "http://127.0.0.1:8080"
    /// `--radius-host`: where to send RADIUS; `nil` uses the server's own setting.
    @Option(help: "SimGate's RADIUS address. Default: $SIMGATE_RADIUS_HOST (127.0.0.1 when that is a wildcard), else 127.0.0.1.")
    var radiusHost: String?
    /// `--auth-port`: the RADIUS authentication port; `nil` uses the server's own setting.
    @Option(help: "RADIUS authentication port. Default: $SIMGATE_RADIUS_AUTH_PORT, else 1812.") var authPort: Int?
    /// `--acct-port`: the RADIUS accounting port; `nil` uses the server's own setting.
    @Option(help: "RADIUS accounting port. Default: $SIMGATE_RADIUS_ACCT_PORT, else 1813.") var acctPort: Int?
    /// `--secret`: the RADIUS shared secret; `nil` takes it from `SIMGATE_RADIUS_CLIENTS`.
    @Option(help: "Shared secret. Default: the 127.0.0.1 entry of $SIMGATE_RADIUS_CLIENTS.") var secret: String?
    /// `--devices`: how many devices to play, one SIM each (fewer if the key sees fewer SIMs).
    @Option(help: "Devices (one SIM each) to play.") var devices = 10
    /// `--duration`: how long to run, in seconds.
    @Option(help: "How long to run, in seconds.") var duration = 30
    /// `--interval`: seconds between one device's accounting updates.
    @Option(help: "Seconds between a device's accounting updates.") var interval = 2.0
    /// `--roaming`: chance, 0 to 1, that a device moves to another network at an update.
    @Option(help: "Chance, per update, that a device roams to another country (0 to 1).") var roaming = 0.1
    /// `--session-length`: Interim-Updates per session before its Stop (2 or more).
    @Option(help: "Updates per session before the device stops it and starts another.") var sessionLength = 8

    /// Refuses values the simulation cannot play (before anything is sent), naming the option.
    func validate() throws {
        guard (1...100_000).contains(devices) else { throw ValidationError("--devices must be between 1 and 100000.") }
        guard (1...86_400).contains(duration) else { throw ValidationError("--duration must be between 1 and 86400 seconds.") }
        guard interval.isFinite, (0.05...3_600).contains(interval) else { throw ValidationError("--interval must be between 0.05 and 3600 seconds.") }
        guard roaming.isFinite, (0...1).contains(roaming) else { throw ValidationError("--roaming must be between 0 and 1.") }
        guard (2...1_000_000).contains(sessionLength) else { throw ValidationError("--session-length must be between 2 and 1000000.") }
        for (name, port) in [("--auth-port", authPort), ("--acct-port", acctPort)] {
            if let port, !(1...65_535).contains(port) { throw ValidationError("\(name) must be between 1 and 65535.") }
        }
        // A port that does not fit is dropped by URLComponents; the colon shows one was given.
        let authority = url.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first ?? ""
        // An IPv6 host's colons are inside its brackets; a port follows the closing one.
        let afterHost = authority.lastIndex(of: "]").map { authority[authority.index(after: $0)...] } ?? authority
        guard let address = URLComponents(string: url), ["http", "https"].contains(address.scheme ?? ""), address.host?.isEmpty == false,
              address.port.map({ (1...65_535).contains($0) }) ?? !afterHost.contains(":")
        else { throw ValidationError("--url must be an http:// address with a port between 1 and 65535, like http://127.0.0.1:8080.") }
    }

    /// Lists the SIMs, plays every device until time is up, prints the tally; fails if none answered.
    func run() async throws {
        guard let secret = secret ?? Self.secretFromEnvironment() else {
            throw ValidationError("Give --secret, or set SIMGATE_RADIUS_CLIENTS with an entry for 127.0.0.1.")
        }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let fleet: [SimulatedDevice.Identity]
        do {
            fleet = try await Self.fleet(BenchClient(http: http, base: url), key: key, size: devices)
        } catch {
            try await http.shutdown()
            throw error
        }
        try await http.shutdown()
        guard !fleet.isEmpty else { throw ValidationError("The key sees no SIMs: import some first (simgate sims import FILE.csv).") }

        // The same settings the server reads, so a server started with other ports is found.
        let server = try AppConfiguration.fromEnvironment().radius
        let radiusHost = radiusHost ?? (["0.0.0.0", "::", ""].contains(server.host) ? "127.0.0.1" : server.host)
        let authPort = authPort ?? server.authenticationPort
        let acctPort = acctPort ?? server.accountingPort
        let network = SimulatedNetwork(
            host: radiusHost, authPort: authPort, acctPort: acctPort, secret: Array(secret.utf8), nas: "simgate-simulator"
        )
        let settings = SimulatedDevice.Settings(interval: .milliseconds(Int(interval * 1_000)), roaming: roaming, sessionLength: sessionLength)
        print("Simulating \(fleet.count) device(s) for \(duration) s against \(radiusHost):\(authPort)/\(acctPort)...")
        let start = ContinuousClock.now
        let deadline = start + .seconds(duration)
        let tallies = try await withThrowingTaskGroup(of: SimulationTally.self) { group in
            for (index, identity) in fleet.enumerated() {
                group.addTask {
                    var device = SimulatedDevice(identity: identity, settings: settings, seed: UInt64(index))
                    return try await device.run(on: network, until: deadline)
                }
            }
            return try await group.reduce(into: SimulationTally()) { $0.add($1) }
        }
        print(tallies.summary(seconds: (ContinuousClock.now - start).asSeconds))
        if tallies.answered == 0 {
            print("SimGate answered no RADIUS request at \(radiusHost):\(authPort)/\(acctPort): is it running with SIMGATE_RADIUS_CLIENTS for this machine, on these ports?")
            throw ExitCode.failure
        }
    }

    /// The secret of the `SIMGATE_RADIUS_CLIENTS` entry that covers 127.0.0.1, if there is one.
    static func secretFromEnvironment() -> String? {
        guard let text = ProcessInfo.processInfo.environment["SIMGATE_RADIUS_CLIENTS"] else { return nil }
        return (try? RADIUSSettings.clients(parsing: text))?.first { RADIUSClientTable([$0]).client(for: "127.0.0.1") != nil }
            .map { String(decoding: $0.secret, as: UTF8.self) }
    }

    /// Up to `size` SIMs the key can see, from the API.
    static func fleet(_ client: BenchClient, key: String, size: Int) async throws -> [SimulatedDevice.Identity] {
        var identities: [SimulatedDevice.Identity] = []
        var after: String?
        while identities.count < size {
            let reply = try await client.send(.GET, "/v1/sims?limit=100" + (after.map { "&starting_after=\($0)" } ?? ""), key: key)
            guard reply.status == 200 else { throw ValidationError("Listing SIMs failed (\(reply.status)): \(String(decoding: reply.body, as: UTF8.self))") }
            let page = reply.json["data"] as? [[String: Any]] ?? []
            for sim in page {
                guard let imsi = sim["imsi"] as? String, let iccid = sim["iccid"] as? String else { continue }
                identities.append(SimulatedDevice.Identity(iccid: iccid, imsi: imsi))
            }
            guard reply.json["has_more"] as? Bool == true, let last = page.last?["id"] as? String else { break }
            after = last
        }
        return Array(identities.prefix(size))
    }
}
