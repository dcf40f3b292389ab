import Foundation
import SimGateRADIUS
import SimGateTestSupport
import Testing

/// What `simgate serve` writes to its log, read from the process's own output.
@Suite("The served log", .serialized, .timeLimit(.minutes(2)))
struct ServedLogTests {
    static let radiusSecret = "log-radius-secret"

    /// A device chooses its User-Name (its APN settings); logged as it came, one holding a line
    /// break wrote a `critical` line of the device's making into the server's log.
    @Test("a User-Name with a line break and a made-up log line stays escaped inside the one warning that names it")
    func deviceTextWritesNoLines() async throws {
        let executable = SimulateCommandTests.executable.path
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build simgate first (swift build)")
        let directory = URL(fileURLWithPath: TestScratch.path("served-log-\(UUID().uuidString.prefix(8))"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (tcp, udp) = try await LoopbackPorts.pick(tcp: 1, udp: 2)
        let server = try ServeProcess.start(
            "log", executable: executable, database: directory.appendingPathComponent("simgate.sqlite").path,
            ports: .init(http: tcp[0], radiusAuthentication: udp[0], radiusAccounting: udp[1]),
            environment: ["SIMGATE_RADIUS_CLIENTS": "127.0.0.1=\(Self.radiusSecret)"], logDirectory: directory
        )
        defer { server.kill() }
        try await server.waitUntilHealthy(within: .seconds(60))

        // Short enough that the warning shows it whole (it keeps a User-Name's first 64).
        let forged = "2026-12-07T03:00:00+0000 critical FORGED"
        var report = GatewayAccountingRequest(.start, nas: .address([127, 0, 0, 1]), sessionID: "s-1", imsi: "001019999999999", inputBytes: 0, outputBytes: 0)
        report.userName = "dev\n" + forged + "\u{2028}x"
        let packet = report.signed(identifier: 7, secret: Array(Self.radiusSecret.utf8))
        // The warning for the unknown SIM is written while the report is recorded, before its
        // answer goes out, and the log is flushed line by line.
        let replies = try await RADIUSUDPTestClient(serverPort: udp[1]).exchange([packet.encoded()], wait: .seconds(10), expecting: 1)
        #expect(replies.count == 1, "no Accounting-Response:\n\(server.logTail())")

        let lines = try String(contentsOfFile: server.logPath, encoding: .utf8).split(whereSeparator: \.isNewline)
        let naming = lines.filter { $0.contains("critical FORGED") }
        #expect(naming.count == 1, "\(lines)")
        #expect(naming.first?.contains("does not know") == true && naming.first?.contains("dev\\u{A}2026-12-07") == true, "\(naming)")
        #expect(naming.first?.contains("\\u{2028}x") == true, "\(naming)")
        #expect(!lines.contains { $0.hasPrefix("2026-12-07T03:00:00+0000 critical") }, "\(lines)")
    }
}
