import Foundation
import SimGateTestSupport
import Synchronization
import Testing

/// `simgate simulate`, run as the built executable against a live SimGate.
@Suite("The simulator command")
struct SimulateCommandTests {
    /// The `simgate` executable that `swift build` put beside the test bundle.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("simgate")
    }

    /// Runs `simgate` with `arguments` and `environment`, killing it if it outlives `limit`;
    /// returns its exit status and what it printed.
    static func run(_ arguments: [String], environment: [String: String], limit: Duration = .seconds(60)) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let output = Mutex(Data())
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            output.withLock { $0.append(chunk) }
        }
        let status: Int32 = try await withThrowingTaskGroup(of: Int32?.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
                    do { try process.run() } catch { continuation.resume(returning: -1) }
                }
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = try await group.next() ?? nil
            if first == nil, process.isRunning { process.terminate() }
            group.cancelAll()
            if let first { return first }
            return try await group.next().flatMap { $0 } ?? -1
        }
        pipe.fileHandleForReading.readabilityHandler = nil
        let rest = pipe.fileHandleForReading.readDataToEndOfFile()
        return (status, String(decoding: output.withLock { $0 } + rest, as: UTF8.self))
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
            let played = try await Self.run(common, environment: environment)
            #expect(played.status == 0, "\(played.output)")
            #expect(played.output.contains("Access: ") && !played.output.contains("Access: 0 accepted"), "\(played.output)")

            // Ports where nothing listens: a failure, said as such.
            var nowhere = environment
            nowhere["SIMGATE_RADIUS_AUTH_PORT"] = "9"
            nowhere["SIMGATE_RADIUS_ACCT_PORT"] = "9"
            let unanswered = try await Self.run(common, environment: nowhere)
            #expect(unanswered.status != 0, "\(unanswered.output)")
            #expect(unanswered.output.contains("answered no RADIUS request"))
        }
    }

    @Test("simulate --help reads cleanly, without stray backslashes")
    func help() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build simgate first (swift build)")
        let help = try await Self.run(["simulate", "--help"], environment: [:])
        #expect(help.status == 0)
        #expect(help.output.contains("SIMGATE_RADIUS_AUTH_PORT"))
        #expect(!help.output.contains("\\"), "\(help.output)")
    }
}
