import Foundation
import SimGateCore
import SimGateStore
import SimGateTestSupport
import Testing

/// FreeRADIUS's own client (`radclient`, Debian's freeradius-utils) against SimGate, with
/// attributes named from FreeRADIUS's stock dictionaries: a second, independent RADIUS
/// implementation checking our packets and authenticators. CI installs it; elsewhere the
/// test runs when it is installed.
@Suite("radclient from freeradius-utils")
struct RadclientTests {
    static let path = ["/usr/bin/radclient", "/usr/local/bin/radclient"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let required = ProcessInfo.processInfo.environment["CI"] == "true"

    /// Runs radclient with `attributes` (one `Name = value` per line) and returns what it printed.
    static func radclient(_ command: String, port: Int, _ attributes: [String]) async throws -> String {
        let path = try #require(path, "radclient is not installed (apt-get install freeradius-utils)")
        return await ExternalTool.run(
            path, ["-x", "-r", "2", "-t", "2", "127.0.0.1:\(port)", command, TestHarness.radiusSecret],
            input: attributes.joined(separator: "\n") + "\n"
        ).output
    }

    @Test("Access-Request and accounting Start/Interim/Stop with 3GPP attributes; SimGate stores what radclient sent",
          .enabled(if: path != nil || required), arguments: TestEngine.available)
    func radclientSession(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sims = try await app.importSims(0..<2)
            _ = try await app.request(.post, "/v1/sims/\(sims[0])/activate", key: app.operatorKey)
            let (live, stock) = (Fixtures.imsi(0), Fixtures.imsi(1))

            let accepted = try await Self.radclient("auth", port: app.radiusPort, ["User-Name = \(live)", "3GPP-IMSI = \(live)", "Message-Authenticator = 0x00"])
            #expect(accepted.contains("Received Access-Accept"), "\(accepted)")
            #expect(accepted.contains("Acct-Interim-Interval = 300"))
            let rejected = try await Self.radclient("auth", port: app.radiusPort, ["User-Name = \(stock)", "Message-Authenticator = 0x00"])
            #expect(rejected.contains("Received Access-Reject"), "\(rejected)")
            #expect(rejected.contains("Reply-Message = \"SIM is INVENTORY\""))

            let common = [
                "Acct-Session-Id = rc-0001", "NAS-IP-Address = 127.0.0.1", "User-Name = \(live)", "3GPP-IMSI = \(live)",
                "3GPP-SGSN-MCC-MNC = 23415", "3GPP-IMEISV = 3533240000000201", "3GPP-RAT-Type = 6",
            ]
            for (status, input, output, gigawords) in [("Start", 0, 0, 0), ("Interim-Update", 4_000, 60_000, 0), ("Stop", 5_000, 80_000, 1)] {
                let reply = try await Self.radclient("acct", port: app.radiusAccountingPort, common + [
                    "Acct-Status-Type = \(status)", "Acct-Input-Octets = \(input)", "Acct-Output-Octets = \(output)",
                    "Acct-Output-Gigawords = \(gigawords)",
                ])
                #expect(reply.contains("Received Accounting-Response"), "\(reply)")
            }

            let session = try #require(try await app.database.store.read { try await $0.sessions.session(SessionKey(nas: "127.0.0.1", sessionID: "rc-0001")) })
            #expect(session.stoppedAt != nil)
            #expect(session.country == "GB")
            #expect(session.rat == "EUTRAN")
            #expect(session.counters.outputBytes == 4_294_967_296 + 80_000)
            let month = UsageRepository.periods(of: app.clock.now())[1]
            let total = try await app.database.store.read { try await $0.usage.total(simID: SimID(trusted: sims[0]), period: month) }
            #expect(total.up == 5_000)
            #expect(total.down == 4_294_967_296 + 80_000)
            let sim = try await app.request(.get, "/v1/sims/\(sims[0])", key: app.operatorKey)
            #expect(sim["imei"] == (try IMEI(fromNetwork: "3533240000000201")).digits)
            #expect((sim.json["last_seen"] as? [String: Any])?["country"] as? String == "GB")
        }
    }

    @Test("radclient's Status-Server is answered on both ports, and its Proxy-State comes back with every reply",
          .enabled(if: path != nil || required))
    func statusServerAndProxyState() async throws {
        try await TestHarness.run(.sqlite) { app in
            let sim = try #require(try await app.importSims(0..<1).first)
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: app.operatorKey)
            let authStatus = try await Self.radclient("status", port: app.radiusPort, ["Message-Authenticator = 0x00"])
            #expect(authStatus.contains("Received Access-Accept"), "\(authStatus)")
            let acctStatus = try await Self.radclient("status", port: app.radiusAccountingPort, ["Message-Authenticator = 0x00"])
            #expect(acctStatus.contains("Received Accounting-Response"), "\(acctStatus)")

            let imsi = Fixtures.imsi(0)
            let accepted = try await Self.radclient("auth", port: app.radiusPort, [
                "User-Name = \(imsi)", "3GPP-IMSI = \(imsi)", "Message-Authenticator = 0x00", "Proxy-State = 0x70726f78792d31",
            ])
            #expect(accepted.contains("Received Access-Accept"), "\(accepted)")
            #expect(accepted.contains("Proxy-State = 0x70726f78792d31"), "\(accepted)")
            let accounted = try await Self.radclient("acct", port: app.radiusAccountingPort, [
                "Acct-Status-Type = Start", "Acct-Session-Id = rc-ps", "NAS-IP-Address = 127.0.0.1", "3GPP-IMSI = \(imsi)",
                "Proxy-State = 0x70726f78792d32",
            ])
            #expect(accounted.contains("Received Accounting-Response"), "\(accounted)")
            #expect(accounted.contains("Proxy-State = 0x70726f78792d32"), "\(accounted)")
            // radclient signs a Message-Authenticator in accounting over a zero authenticator;
            // SimGate checks it the same way, so the report is answered.
            let signed = try await Self.radclient("acct", port: app.radiusAccountingPort, [
                "Acct-Status-Type = Start", "Acct-Session-Id = rc-ma", "NAS-IP-Address = 127.0.0.1", "3GPP-IMSI = \(imsi)",
                "Message-Authenticator = 0x00",
            ])
            #expect(signed.contains("Received Accounting-Response"), "\(signed)")
        }
    }

    static let freeradius = ["/usr/sbin/freeradius", "/usr/sbin/radiusd"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test("bench radius --freeradius --rounds 2 replays radclient packet files at FreeRADIUS and at SimGate, fresh ones each round: both store every update, and each round's ratio and their median are printed",
          .enabled(if: (path != nil && freeradius != nil) || required))
    func benchBesideFreeRADIUS() async throws {
        let radclient = try #require(Self.path, "radclient is not installed (apt-get install freeradius-utils)")
        let freeradius = try #require(Self.freeradius, "FreeRADIUS is not installed (apt-get install freeradius)")
        try #require(FileManager.default.isExecutableFile(atPath: CommandLineTests.simgate), "build simgate first (swift build)")
        let outcome = await ExternalTool.run(CommandLineTests.simgate, [
            "bench", "radius", "--freeradius", "--rounds", "2", "--updates", "3000", "--sessions", "100", "--samples", "20",
            "--radclient-path", radclient, "--freeradius-path", freeradius,
        ], limit: .seconds(240))
        #expect(outcome.status == 0, "\(outcome.output)")
        // radclient's file format read back by radclient itself, and each server's own count:
        // FreeRADIUS's detail files hold both rounds' 3,000 updates and the paced phase's.
        let detail = try #require(outcome.output.firstMatch(of: /FreeRADIUS detail files hold (\d+) records for (\d+) answered updates/), "\(outcome.output)")
        #expect(detail.1 == detail.2 && Int(detail.1).map { $0 > 6_000 } == true, "\(outcome.output)")
        // The second round's sessions are new ones, so its usage counts too: every byte of
        // both rounds (and of the later phases) is stored once.
        #expect(outcome.output.contains("SimGate accounting:    6000 updates answered"), "\(outcome.output)")
        #expect(outcome.output.contains("-> nothing lost or doubled"), "\(outcome.output)")
        #expect(!outcome.output.contains("not 200"), "an API write timed during the bench failed: \(outcome.output)")
        // The summary is made of the rounds' own ratios: the median of two is their mean, and
        // the lowest and highest are theirs (each printed to two decimals).
        let rounds = outcome.output.matches(of: /round \d of 2: SimGate .*: (\d+\.\d+)x the CPU per update/).compactMap { Double($0.1) }
        let summary = try #require(
            outcome.output.firstMatch(of: /over 2 rounds, CPU per update: median (\d+\.\d+)x, lowest (\d+\.\d+)x, highest (\d+\.\d+)x/), "\(outcome.output)"
        )
        if rounds.count == 2, let median = Double(summary.1), let lowest = Double(summary.2), let highest = Double(summary.3) {
            #expect(abs(median - (rounds[0] + rounds[1]) / 2) <= 0.011, "\(outcome.output)")
            #expect(lowest == rounds.min() && highest == rounds.max(), "\(outcome.output)")
        } else {
            Issue.record("two round ratios and a summary of three were expected: \(outcome.output)")
        }
        CommandLineTests.expect(outcome, printed: [
            "FreeRADIUS accounting: 6000 updates answered", "SimGate / FreeRADIUS:", "while accounting runs: p50",
            "round 1 of 2: SimGate ", "round 2 of 2: SimGate ", "x the CPU per update", "SimGate / FreeRADIUS over 2 rounds, CPU per update: median ",
            "FreeRADIUS, the same while its accounting ran: p50", "at rest: p50", "FreeRADIUS paced the same (own sender):", "both paced at", "API suspend/activate during an accounting flood of its own (", "one write every 50 ms): p50", "API suspend/activate at rest: p50",
        ])
    }

}
