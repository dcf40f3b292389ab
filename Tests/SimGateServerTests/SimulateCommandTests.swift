import Foundation
import SimGateTestSupport
import Testing

/// `simgate simulate`, run as the built executable against a live SimGate.
@Suite("The simulator command")
struct SimulateCommandTests {
    /// The `simgate` executable that `swift build` put beside the test bundle.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("simgate")
    }

    static func run(_ arguments: [String], environment: [String: String]) async -> ExternalTool.Outcome {
        await ExternalTool.run(executable.path, arguments, environment: environment)
    }

    @Test("simulate finds the server's RADIUS ports in the same settings the server reads, and exits non-zero when nothing answers")
    func readsTheServerSettings() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build simgate first (swift build)")
        try await TestHarness.run(.sqlite) { app in
            let sims = try await app.importSims(0..<2)
            for sim in sims { _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: app.operatorKey) }
            let httpPort = try #require(app.client.port)
            let common = ["simulate", "--key", app.operatorKey, "--url", "http://127.0.0.1:\(httpPort)", "--devices", "2", "--duration", "2", "--interval", "0.2"]
            let environment = [
                "SIMGATE_RADIUS_CLIENTS": "127.0.0.1=\(TestHarness.radiusSecret)",
                "SIMGATE_RADIUS_AUTH_PORT": String(app.radiusPort),
                "SIMGATE_RADIUS_ACCT_PORT": String(app.radiusAccountingPort),
            ]
            let played = await Self.run(common, environment: environment)
            #expect(played.status == 0, "\(played.output)")
            #expect(played.output.contains("Access: ") && !played.output.contains("Access: 0 accepted"), "\(played.output)")

            // Ports where nothing listens: a failure, said as such.
            var nowhere = environment
            nowhere["SIMGATE_RADIUS_AUTH_PORT"] = "9"
            nowhere["SIMGATE_RADIUS_ACCT_PORT"] = "9"
            let unanswered = await Self.run(common, environment: nowhere)
            #expect(unanswered.status != 0, "\(unanswered.output)")
            #expect(unanswered.output.contains("answered no RADIUS request"))
        }
    }

    @Test("simulate refuses values it cannot play with one line naming the option, rather than crashing", arguments: [
        (["--devices=-1"], "--devices"), (["--interval", "nan"], "--interval"), (["--interval", "inf"], "--interval"),
        (["--interval", "0"], "--interval"), (["--roaming", "2"], "--roaming"), (["--duration=-5"], "--duration"),
        (["--acct-port=-1"], "--acct-port"), (["--auth-port", "65536"], "--auth-port"),
        (["--url", "http://127.0.0.1:65536"], "--url"), (["--url", "http://127.0.0.1:99999999999999999999"], "--url"),
    ])
    func refusals(arguments: [String], option: String) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build simgate first (swift build)")
        let outcome = await Self.run(["simulate", "--key", "sgk_x", "--secret", "s"] + arguments, environment: [:])
        #expect(outcome.status == 64, "\(outcome.output)")
        #expect(outcome.output.contains("Error: \(option)"), "\(outcome.output)")
        #expect(!outcome.output.contains("Fatal error"), "\(outcome.output)")
    }

    @Test("simulate --help reads cleanly, without stray backslashes")
    func help() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build simgate first (swift build)")
        let help = await Self.run(["simulate", "--help"], environment: [:])
        #expect(help.status == 0)
        #expect(help.output.contains("SIMGATE_RADIUS_AUTH_PORT"))
        #expect(!help.output.contains("\\"), "\(help.output)")
    }
}
