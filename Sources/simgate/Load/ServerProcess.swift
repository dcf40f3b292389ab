import Foundation
import Glibc
import NIOCore
import NIOPosix

/// A server started as a separate process (`simgate serve`, or FreeRADIUS as the reference),
/// so that its CPU time can be read apart from the load generator's.
final class ServerProcess: Sendable {
    private let process: Process

    /// Starts `executable` (by default this same one) with `arguments` and extra `environment`;
    /// its output goes to `log` when given (appended), otherwise to this process's.
    init(executable: URL? = nil, arguments: [String], environment: [String: String], log: URL? = nil) throws {
        let process = Process()
        process.executableURL = executable ?? Self.thisExecutable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        var output: FileHandle?
        defer { try? output?.close() }  // The child has its own copy once started.
        if let log {
            if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
            output = try FileHandle(forWritingTo: log)
            try output?.seekToEnd()
            process.standardOutput = output
            process.standardError = output
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        self.process = process
    }

    /// This same `simgate` executable, to run again as a child process.
    static var thisExecutable: URL { URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath() }

    /// User plus system CPU seconds the server has used so far, from /proc/<pid>/stat.
    func cpuSeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
              let afterName = stat.lastIndex(of: ")")
        else { return .nan }
        // Fields after the name start at field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: afterName)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return .nan }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The server's resident memory in MiB, from /proc/<pid>/status (NaN once it has gone).
    func residentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
        else { return .nan }
        return kilobytes / 1_024
    }

    /// The process id.
    var pid: Int32 { process.processIdentifier }

    /// Whether the process has not exited yet.
    var isRunning: Bool { process.isRunning }

    /// Stops the process at once (SIGKILL) and waits for it. For a reference server that
    /// inherits this process's blocked signals (Foundation's Process keeps the spawning
    /// thread's mask), so SIGTERM would wait forever.
    func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Asks the server to stop (SIGTERM, a graceful shutdown) and waits for it at most
    /// `limit`, then kills it (SIGKILL): a server stuck in its shutdown does not hold the
    /// benchmark forever.
    func stop(within limit: Duration = .seconds(30)) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + limit
        while process.isRunning, ContinuousClock.now < deadline { usleep(20_000) }
        kill()
    }
}

/// Ports nothing listens on now, found by binding and letting go, for a server process that
/// binds them next.
///
/// Picked below Linux's ephemeral range (32768 and up), where the kernel hands out the port of
/// every `bind(port: 0)`: a port picked there and freed could go to another program's listener
/// (in CI, another test's in-process server) before the bench's server bound it, which then
/// failed to start ("Address already in use").
enum FreePorts {
    /// A UDP port on 127.0.0.1 that was free a moment ago.
    static func udp() async throws -> Int {
        try await free { try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: $0).get() }
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    static func tcp() async throws -> Int {
        try await free { try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: $0).get() }
    }

    /// Binds `bind` to a random port from 20000 to 31999 (up to 200 tries, then any port) and
    /// lets it go; returns the port.
    private static func free(_ bind: (Int) async throws -> any Channel) async throws -> Int {
        var channel: (any Channel)?
        for _ in 0..<200 where channel == nil {
            channel = try? await bind(Int.random(in: 20_000..<32_000))
        }
        let bound: any Channel
        if let channel { bound = channel } else { bound = try await bind(0) }
        let port = bound.localAddress?.port ?? 0
        try await bound.close()
        return port
    }
}
