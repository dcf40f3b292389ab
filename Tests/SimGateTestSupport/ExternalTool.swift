import Foundation
import Synchronization

/// Runs another program (radclient, promtool, the `simgate` executable) for a test, feeding
/// it `input` and collecting everything it prints. It waits on a thread of its own, never on
/// the tests' cooperative threads (which may be serving the very server the tool talks to),
/// and it is killed if it outlives `limit`.
public enum ExternalTool {
    /// The program's exit status (-1 if it could not start or was killed) and its output.
    public struct Outcome: Sendable {
        public let status: Int32
        public let output: String
    }

    public static func run(
        _ path: String, _ arguments: [String], input: String? = nil, environment: [String: String] = [:], limit: Duration = .seconds(60)
    ) async -> Outcome {
        await withCheckedContinuation { continuation in
            Thread {
                continuation.resume(returning: runBlocking(path, arguments, input: input, environment: environment, limit: limit))
            }.start()
        }
    }

    private static func runBlocking(_ path: String, _ arguments: [String], input: String?, environment: [String: String], limit: Duration) -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdin = Pipe(), output = Pipe()
        process.standardInput = stdin
        process.standardOutput = output
        process.standardError = output
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do {
            try process.run()
        } catch {
            return Outcome(status: -1, output: "could not start \(path): \(error)")
        }
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        // Read while it runs, so a chatty program never blocks on a full pipe.
        let collected = Mutex(Data())
        let readerDone = DispatchSemaphore(value: 0)
        Thread {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            collected.withLock { $0 = data }
            readerDone.signal()
        }.start()
        let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
        var killed = false
        if finished.wait(timeout: .now() + seconds) == .timedOut {
            process.terminate()
            killed = true
            finished.wait()
        }
        readerDone.wait()
        let text = String(decoding: collected.withLock { $0 }, as: UTF8.self)
        return Outcome(status: killed ? -1 : process.terminationStatus, output: killed ? text + "\n(killed after \(limit))" : text)
    }
}
