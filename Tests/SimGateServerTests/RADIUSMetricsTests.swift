import Foundation
import SimGateRADIUS
@testable import SimGateServer
import SimGateTestSupport
import Testing

/// What the gate did shows on `/metrics`, in an exposition Prometheus's own checker accepts.
@Suite("RADIUS on /metrics")
struct RADIUSMetricsTests {
    static let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let required = ProcessInfo.processInfo.environment["CI"] == "true"

    /// `promtool check metrics` on `text`: its exit status and what it said.
    static func check(_ text: String) async throws -> ExternalTool.Outcome {
        let path = try #require(promtool, "promtool is not installed (apt-get install prometheus)")
        return await ExternalTool.run(path, ["check", "metrics"], input: text)
    }

    @Test("requests, replies and drops per port, accounting batches and disconnect outcomes are exported, and promtool accepts the page",
          .enabled(if: promtool != nil || required))
    func exported() async throws {
        try await TestHarness.run(.sqlite) { app in
            let sim = try #require(try await app.importSims(0..<1).first)
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: app.operatorKey)
            let accept = RADIUSAccessTests.accessRequest(imsi: Fixtures.imsi(0), userName: "pgw", identifier: 1)
            _ = try await RADIUSAccessTests.ask(app, accept)
            var forged = RADIUSAccessTests.accessRequest(imsi: Fixtures.imsi(0), userName: "pgw", identifier: 2)
            forged.identifier = 3  // breaks the Message-Authenticator
            _ = try await RADIUSUDPTestClient(serverPort: app.radiusPort).exchange([forged.encoded()], wait: .milliseconds(300), expecting: 0)
            try await RADIUSAccountingTests.send(app, [
                RADIUSAccountingTests.accounting(.start, session: "m-1", imsi: Fixtures.imsi(0), input: 0, output: 0, identifier: 4),
            ])

            let reply = try await app.request(.get, "/metrics", key: nil)
            let text = reply.text
            for series in [
                #"simgate_radius_requests_total{port="authentication",code="access_request"} 2"#,
                #"simgate_radius_replies_total{port="authentication",code="access_accept",retransmission="false"} 1"#,
                #"simgate_radius_dropped_total{port="authentication",reason="bad_authenticator"} 1"#,
                #"simgate_radius_requests_total{port="accounting",code="accounting_request"} 1"#,
                #"simgate_radius_replies_total{port="accounting",code="accounting_response",retransmission="false"} 1"#,
                "simgate_radius_accounting_batch_size_count 1",
                "simgate_radius_accounting_commit_seconds_count 1",
            ] {
                #expect(text.contains(series), "missing \(series)")
            }
            let checked = try await Self.check(text)
            #expect(checked.status == 0, "promtool: \(checked.output)\n\(text)")
        }
    }

    /// A port that stops reading for a full backlog tells its observer, which counts it per
    /// port (the pause itself is tested over UDP in SimGateRADIUSTests).
    @Test("each pause for a full backlog is counted per port")
    func backlogPausesCounted() {
        let metrics = RADIUSMetrics()
        let accounting = metrics.server(.accounting)
        accounting.backlogFull()
        accounting.backlogFull()
        let text = String(decoding: metrics.registry.emitToBuffer(), as: UTF8.self)
        #expect(text.contains(#"simgate_radius_backlog_full_total{port="accounting"} 2"#), "\(text)")
    }
}
