import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// One `simgate serve` started as a process of its own from the built executable, as an
/// operator starts an instance: its own HTTP and RADIUS ports, its output kept in a log file
/// (read back when something goes wrong). `kill()` is SIGKILL: no graceful shutdown, so what
/// the instance had claimed stays claimed, as after a crash.
final class ServeProcess: Sendable {
    /// Where one instance listens.
    struct Ports: Sendable {
        let http: Int
        let radiusAuthentication: Int
        let radiusAccounting: Int
    }

    let name: String
    let ports: Ports
    let logPath: String
    private let process: Process

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var baseURL: String { "http://127.0.0.1:\(ports.http)" }

    private init(name: String, ports: Ports, logPath: String, process: Process) {
        self.name = name
        self.ports = ports
        self.logPath = logPath
        self.process = process
    }

    /// Starts `executable serve` on `database` with `ports`; `environment` adds to (and
    /// overrides) this process's own.
    static func start(
        _ name: String, executable: String, database: String, ports: Ports, environment: [String: String], logDirectory: URL
    ) throws -> ServeProcess {
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        let log = logDirectory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--database", database, "--port", String(ports.http), "--log-level", "warning"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment.merging([
            "SIMGATE_RADIUS_AUTH_PORT": String(ports.radiusAuthentication),
            "SIMGATE_RADIUS_ACCT_PORT": String(ports.radiusAccounting),
        ]) { $1 }) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return ServeProcess(name: name, ports: ports, logPath: log.path, process: process)
    }

    /// SIGKILL, then waits for the process to be gone. Safe to call more than once.
    func kill() {
        guard process.isRunning else { return }
        _ = Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Polls `GET /health` until it answers 200, the process exits, or `deadline` passes.
    func waitUntilHealthy(within deadline: Duration) async throws {
        let end = ContinuousClock.now + deadline
        while ContinuousClock.now < end {
            guard process.isRunning else { throw Failure("\(name) exited while starting:\n\(logTail())") }
            let request = HTTPClientRequest(url: baseURL + "/health")
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)), response.status.code == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure("\(name) did not answer /health within \(deadline):\n\(logTail())")
    }

    /// The end of what the instance wrote, for failure messages.
    func logTail(_ characters: Int = 3_000) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "(no log at \(logPath))"
        return text.count > characters ? "..." + text.suffix(characters) : text
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

/// Loopback ports nothing listens on at the moment: all are bound at once (so none is handed
/// out twice), then let go for the processes that will listen on them.
enum LoopbackPorts {
    static func pick(tcp: Int, udp: Int) async throws -> (tcp: [Int], udp: [Int]) {
        let group = MultiThreadedEventLoopGroup.singleton
        var held: [any Channel] = []
        // Below Linux's ephemeral range (32768 and up), where the kernel hands out the ports of
        // every `bind(port: 0)`: a port picked there and freed could be given to another test's
        // server before the instance bound it, and that server then answered the instance's
        // /health and requests (401 for a key it had never seen).
        func bound<C>(_ bind: (Int) async throws -> C) async throws -> C {
            for _ in 0..<200 {
                if let channel = try? await bind(Int.random(in: 20_000..<32_000)) { return channel }
            }
            return try await bind(0)
        }
        do {
            var tcpPorts: [Int] = [], udpPorts: [Int] = []
            for _ in 0..<tcp {
                let channel = try await bound { try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: $0).get() }
                held.append(channel)
                tcpPorts.append(channel.localAddress?.port ?? 0)
            }
            for _ in 0..<udp {
                let channel = try await bound { try await DatagramBootstrap(group: group).bind(host: "127.0.0.1", port: $0).get() }
                held.append(channel)
                udpPorts.append(channel.localAddress?.port ?? 0)
            }
            // Closed (and awaited) before anyone else binds them.
            for channel in held { try await channel.close() }
            return (tcpPorts, udpPorts)
        } catch {
            for channel in held { channel.close(promise: nil) }
            throw error
        }
    }

}
