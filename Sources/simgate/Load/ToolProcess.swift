import Foundation

/// An outside tool (radclient, wrk) run to its end with its output kept, and killed past a limit.
struct ToolProcess {
    /// What the tool printed, on standard output and standard error together.
    let output: String
    /// Its exit status (or the signal that ended it).
    let status: Int32
    /// Whether it was killed for outliving the limit.
    let killed: Bool

    /// Runs `executable` with `arguments` and waits for its end; a tool still running after
    /// `limit` is killed with SIGKILL, which ends the wait.
    static func run(_ executable: URL, _ arguments: [String], limit: Duration) async throws -> ToolProcess {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        // A file, not a pipe: the tool must never block on output nobody reads yet.
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("\(executable.lastPathComponent)-\(UUID().uuidString).out")
        // Should it fail, opening the file below throws and says why.
        _ = FileManager.default.createFile(atPath: outputPath.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputPath)
        defer { try? output.close() }
        let reader = try FileHandle(forReadingFrom: outputPath)
        defer { try? reader.close() }
        // Removed at once: the open handles keep the file's contents, and nothing is left in
        // the temporary directory even if this process is killed before the tool ends.
        try? FileManager.default.removeItem(at: outputPath)
        process.standardOutput = output
        process.standardError = output
        let watchdog = Task {
            try await Task.sleep(for: limit)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        defer { watchdog.cancel() }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let text = String(decoding: (try? reader.readToEnd()) ?? Data(), as: UTF8.self)
        return ToolProcess(output: text, status: process.terminationStatus, killed: process.terminationReason == .uncaughtSignal)
    }
}
