import Foundation

/// FreeRADIUS (Debian's freeradius package) as the reference SimGate's accounting is measured
/// against: its stock configuration, copied into a scratch directory, with one virtual server
/// that takes Accounting-Requests on a given port and writes each to a detail file (the
/// `detail` module). It answers once the record is written, as SimGate does once its record
/// is committed. It also accepts every Access-Request on a second port, so that both servers
/// answer the same Access-Requests while their accounting is measured.
struct FreeRADIUSReference {
    /// The scratch directory holding the configuration (`raddb`), logs and detail files.
    let directory: URL
    /// The running `freeradius -f` process.
    let process: ServerProcess

    /// Copies `configuration` (such as /etc/freeradius/3.0) into `directory`, points its
    /// logs and run files there, keeps only the `detail` module and the bench's server, and
    /// starts `executable` in the foreground. Returns once FreeRADIUS says it is ready
    /// (at most 10 s).
    static func start(
        executable: URL, configuration: URL, directory: URL, port: Int, authenticationPort: Int, secret: String
    ) async throws -> FreeRADIUSReference {
        let files = FileManager.default
        let raddb = directory.appendingPathComponent("raddb")
        let logs = directory.appendingPathComponent("log")
        try files.copyItem(at: configuration, to: raddb)
        try files.createDirectory(at: logs.appendingPathComponent("radacct"), withIntermediateDirectories: true)
        try files.createDirectory(at: directory.appendingPathComponent("run"), withIntermediateDirectories: true)

        // Only the bench's server, and of the modules only the ones it uses.
        for site in try files.contentsOfDirectory(atPath: raddb.appendingPathComponent("sites-enabled").path) {
            try files.removeItem(at: raddb.appendingPathComponent("sites-enabled/\(site)"))
        }
        for module in try files.contentsOfDirectory(atPath: raddb.appendingPathComponent("mods-enabled").path) where !["detail", "always"].contains(module) {
            try files.removeItem(at: raddb.appendingPathComponent("mods-enabled/\(module)"))
        }
        // Logs and run files in the scratch directory, and no switch to the freerad user
        // (who could not write there).
        let mainFile = raddb.appendingPathComponent("radiusd.conf")
        let main = try String(contentsOf: mainFile, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let setting = line.trimmingCharacters(in: .whitespaces)
            if setting.hasPrefix("logdir =") { return "logdir = \(logs.path)" }
            if setting.hasPrefix("run_dir =") { return "run_dir = \(directory.appendingPathComponent("run").path)" }
            if setting.hasPrefix("user =") || setting.hasPrefix("group =") { return "" }
            return String(line)
        }
        try main.joined(separator: "\n").write(to: mainFile, atomically: true, encoding: .utf8)
        try """
        server simgate_bench {
        \tlisten {
        \t\ttype = acct
        \t\tipaddr = 127.0.0.1
        \t\tport = \(port)
        \t}
        \tlisten {
        \t\ttype = auth
        \t\tipaddr = 127.0.0.1
        \t\tport = \(authenticationPort)
        \t}
        \tauthorize {
        \t\tupdate control {
        \t\t\t&Auth-Type := Accept
        \t\t}
        \t}
        \tauthenticate {
        \t}
        \tpreacct {
        \t}
        \taccounting {
        \t\tdetail
        \t}
        }

        """.write(to: raddb.appendingPathComponent("sites-enabled/simgate_bench"), atomically: true, encoding: .utf8)
        try """
        client simgate_bench {
        \tipaddr = 127.0.0.1
        \tsecret = \(secret)
        }

        """.write(to: raddb.appendingPathComponent("clients.conf"), atomically: true, encoding: .utf8)

        let log = directory.appendingPathComponent("freeradius.log")
        let process = try ServerProcess(executable: executable, arguments: ["-f", "-d", raddb.path, "-l", log.path], environment: [:])
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if text.contains("Ready to process requests") { return FreeRADIUSReference(directory: directory, process: process) }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.kill()
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? "(no log)"
        throw BenchError("FreeRADIUS did not start within 10 s:\n\(text.suffix(2_000))")
    }

    /// Accounting records in the detail files so far: each starts with its Acct-Status-Type.
    func detailRecords() -> Int {
        let radacct = directory.appendingPathComponent("log/radacct")
        guard let walker = FileManager.default.enumerator(at: radacct, includingPropertiesForKeys: nil) else { return 0 }
        var count = 0
        for case let file as URL in walker where file.lastPathComponent.hasPrefix("detail") {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
            count += text.split(separator: "\n").count { $0.hasPrefix("\tAcct-Status-Type = ") }
        }
        return count
    }
}
