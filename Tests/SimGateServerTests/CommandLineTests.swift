import Foundation
import Logging
import NIOCore
import NIOPosix
import SimGateStore
import Synchronization
import SimGateTestSupport
import Testing

/// The `simgate` executable as a person uses it: the same validation as the API, one human
/// line per problem, and a clean failure when it cannot start.
@Suite("The command line")
struct CommandLineTests {
    static var simgate: String { SimulateCommandTests.executable.path }

    static func scratch(_ name: String) throws -> String {
        TestScratch.path(name)
    }

    /// Runs `simgate` with `arguments` (a bench, end to end) and expects it to succeed.
    static func runSucceeding(_ arguments: [String], limit: Duration, sourceLocation: SourceLocation = #_sourceLocation) async throws -> ExternalTool.Outcome {
        try #require(FileManager.default.isExecutableFile(atPath: simgate), "build simgate first (swift build)", sourceLocation: sourceLocation)
        let outcome = await ExternalTool.run(simgate, arguments, limit: limit)
        #expect(outcome.status == 0, "\(outcome.output)", sourceLocation: sourceLocation)
        return outcome
    }

    /// Expects each of `figures` somewhere in what a command printed.
    static func expect(_ outcome: ExternalTool.Outcome, printed figures: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        for figure in figures {
            #expect(outcome.output.contains(figure), "\(figure) missing from \(outcome.output)", sourceLocation: sourceLocation)
        }
    }

    @Test("a large import shows its progress (rows of rows, rows per second, time left) on a terminal, and stays quiet in a pipe")
    func importProgress() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.simgate), "build simgate first (swift build)")
        let rows = (0..<25_000).map { "\(Fixtures.iccid($0)),\(Fixtures.imsi($0))" }
        let file = try Self.scratch("fleet.csv")
        try ("iccid,imsi\n" + rows.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)

        let piped = try Self.scratch("piped.sqlite")
        #expect(await ExternalTool.run(Self.simgate, ["migrate", "--database", piped]).status == 0)
        let quiet = await ExternalTool.run(Self.simgate, ["sims", "import", file, "--database", piped])
        #expect(quiet.status == 0)
        #expect(quiet.output.trimmingCharacters(in: .whitespacesAndNewlines) == "Imported 25000 SIM(s).", "in a pipe, only the result: \(quiet.output)")

        // util-linux's script(1) gives the command a terminal of its own.
        let script = "/usr/bin/script"
        try #require(FileManager.default.isExecutableFile(atPath: script), "util-linux's script is part of every Debian")
        let onTerminal = try Self.scratch("terminal.sqlite")
        #expect(await ExternalTool.run(Self.simgate, ["migrate", "--database", onTerminal]).status == 0)
        let shown = await ExternalTool.run(script, ["-qec", "\(Self.simgate) sims import \(file) --database \(onTerminal)", "/dev/null"])
        #expect(shown.status == 0, "\(shown.output)")
        #expect(shown.output.contains("25,000 of 25,000 SIMs") && shown.output.contains("SIMs/s") && shown.output.contains("s left"), "\(shown.output)")
        #expect(shown.output.contains("Imported 25000 SIM(s)."))
    }

    @Test("a usage import is stored 10,000 records at a time, shows its progress on a terminal, and run again stores nothing twice")
    func usageImportInBatches() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.simgate), "build simgate first (swift build)")
        let script = "/usr/bin/script"
        try #require(FileManager.default.isExecutableFile(atPath: script), "util-linux's script is part of every Debian")
        let database = try Self.scratch("usage-batches.sqlite")
        #expect(await ExternalTool.run(Self.simgate, ["migrate", "--database", database]).status == 0)
        let sims = try Self.scratch("usage-sims.csv")
        try ("iccid,imsi\n" + (0..<12_000).map { "\(Fixtures.iccid($0)),\(Fixtures.imsi($0))" }.joined(separator: "\n") + "\n").write(toFile: sims, atomically: true, encoding: .utf8)
        #expect(await ExternalTool.run(Self.simgate, ["sims", "import", sims, "--database", database], limit: .seconds(120)).status == 0)
        // 22,000 rows over 12,000 SIMs (each SIM's first use in the first batches), one bad row
        // in the last batch.
        var rows = (0..<22_000).map { "r\($0),\(Fixtures.iccid($0 % 12_000)),2026-12-01T10:00:00Z,2026-12-01T10:05:00Z,100,\($0 % 7)" }
        rows[21_500] = "r21500,\(Fixtures.iccid(1)),2026-12-01T10:00:00Z,2026-12-01T10:05:00Z,-1,0"
        // SIM 500's later record comes first in the file, its earlier one in another batch: its
        // first use is still the earlier one.
        rows[500] = "r500,\(Fixtures.iccid(500)),2026-12-03T10:00:00Z,2026-12-03T10:05:00Z,100,\(500 % 7)"
        rows[12_500] = "r12500,\(Fixtures.iccid(500)),2026-12-01T08:00:00Z,2026-12-01T08:05:00Z,100,\(12_500 % 7)"
        let cdrs = try Self.scratch("usage-cdrs.csv")
        try ("id,iccid,started_at,ended_at,bytes_up,bytes_down\n" + rows.joined(separator: "\n") + "\n").write(toFile: cdrs, atomically: true, encoding: .utf8)

        let shown = await ExternalTool.run(script, ["-qec", "\(Self.simgate) usage import \(cdrs) --database \(database)", "/dev/null"], limit: .seconds(300))
        #expect(shown.status == 1, "one row is bad: \(shown.output.suffix(400))")
        #expect(shown.output.contains("21,999 of 21,999 records") && shown.output.contains("records/s"), "\(shown.output.suffix(400))")
        #expect(shown.output.contains("Imported 21999 record(s); 0 already imported; 1 rejected.") && shown.output.contains("line 21502: bytes_up"), "\(shown.output.suffix(400))")
        let again = await ExternalTool.run(Self.simgate, ["usage", "import", cdrs, "--database", database], limit: .seconds(300))
        #expect(again.output.contains("Imported 0 record(s); 21999 already imported; 1 rejected.") && !again.output.contains("records/s"), "in a pipe, no progress: \(again.output.prefix(300))")

        let reopened = try SimGateDatabase(.sqlite(path: database), logger: Logger(label: "test"))
        let (up, down, firstUses, firstOf500) = try await reopened.withRunning {
            try await reopened.sqlRead { db in
                let sums = try await db.raw("SELECT SUM(bytes_up) AS up, SUM(bytes_down) AS down FROM usage_totals WHERE granularity = 'month'").all()
                let firsts = try await db.raw("SELECT COUNT(*) AS n FROM events WHERE type = 'sim.first_use'").all()
                let sim500 = try await db.raw("SELECT first_use_at FROM sims WHERE iccid = \(bind: Fixtures.iccid(500))").all()
                return (
                    try sums[0].decode(column: "up", as: Int.self), try sums[0].decode(column: "down", as: Int.self),
                    try firsts[0].decode(column: "n", as: Int.self), try sim500[0].decode(column: "first_use_at", as: Int64?.self)
                )
            }
        }
        #expect(firstOf500 == 1_796_112_000_000, "2026-12-01T08:00:00Z, the earlier record's start, though a later batch's: \(String(describing: firstOf500))")
        let kept = (0..<22_000).filter { $0 != 21_500 }
        #expect(up == kept.count * 100 && down == kept.reduce(0) { $0 + $1 % 7 }, "each record counted once")
        #expect(firstUses == 12_000, "one first use a SIM, whichever batch its records fell in")
    }

    @Test("an import with more identifiers than SQLite binds in one statement is checked whole and stored whole")
    func importBeyondOneStatement() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.simgate), "build simgate first (swift build)")
        // 84,000 SIMs with an ICCID, IMSI and MSISDN each: 252,000 identifiers to check, past
        // the 250,000 values SQLite binds in one statement. Failed before: the import stopped
        // with SQLite's "variable number must be between ?1 and ?250000".
        let count = 84_000
        let rows = (0..<count).map { "\(Fixtures.iccid($0)),\(Fixtures.imsi($0)),\(Fixtures.msisdn($0))" }
        let file = try Self.scratch("large.csv")
        try ("iccid,imsi,msisdn\n" + rows.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let database = try Self.scratch("large.sqlite")
        #expect(await ExternalTool.run(Self.simgate, ["migrate", "--database", database]).status == 0)
        let imported = await ExternalTool.run(Self.simgate, ["sims", "import", file, "--database", database], limit: .seconds(300))
        #expect(imported.status == 0, "\(imported.output)")
        #expect(imported.output.trimmingCharacters(in: .whitespacesAndNewlines) == "Imported \(count) SIM(s).", "\(imported.output)")

        // Identifiers taken by the last SIMs of the file are found too, not only the first part's.
        let again = try Self.scratch("again.csv")
        try "iccid,imsi,msisdn\n\(Fixtures.iccid(count + 1)),\(Fixtures.imsi(count - 1)),\(Fixtures.msisdn(count + 1))\n\(Fixtures.iccid(count + 2)),\(Fixtures.imsi(count + 2)),\(Fixtures.msisdn(count - 2))\n"
            .write(toFile: again, atomically: true, encoding: .utf8)
        let refused = await ExternalTool.run(Self.simgate, ["sims", "import", again, "--database", database])
        #expect(refused.status == 1)
        #expect(refused.output.contains(Fixtures.imsi(count - 1)) && refused.output.contains(Fixtures.msisdn(count - 2)), "\(refused.output)")
    }

    @Test("admin commands validate as the API does and say what is wrong in one line each")
    func adminErrors() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.simgate), "build simgate first (swift build)")
        let database = try Self.scratch("cli.sqlite")
        #expect(await ExternalTool.run(Self.simgate, ["migrate", "--database", database]).status == 0)

        let unnamed = await ExternalTool.run(Self.simgate, ["accounts", "create", "", "--database", database])
        #expect(unnamed.status == 1)
        #expect(unnamed.output.trimmingCharacters(in: .whitespacesAndNewlines) == "error: 'name' must not be empty.", "\(unnamed.output)")

        let missingFile = await ExternalTool.run(Self.simgate, ["sims", "import", "/nonexistent/sims.csv", "--database", database])
        #expect(missingFile.status == 1)
        #expect(missingFile.output.contains("error: no such file"), "\(missingFile.output)")
        #expect(!missingFile.output.contains("NSCocoaErrorDomain"))

        // A pipe was refused as "you don't have permission"; a directory got an error number;
        // a byte that is not UTF-8 named no line.
        let piped = await ExternalTool.run(Self.simgate, ["sims", "import", "/dev/stdin", "--database", database], input: "iccid,imsi\n\(Fixtures.iccid(2)),\(Fixtures.imsi(2))\n")
        #expect(piped.status == 0 && piped.output.contains("Imported 1"), "\(piped.output)")
        let directory = await ExternalTool.run(Self.simgate, ["sims", "import", NSTemporaryDirectory(), "--database", database])
        #expect(directory.status == 1 && directory.output.contains("is a directory"), "\(directory.output)")
        let latin1 = try Self.scratch("latin1.csv")
        try Data("iccid,imsi\n\(Fixtures.iccid(3)),\(Fixtures.imsi(3))\nlabel,caf".utf8 + [0xE9] + Data("\n".utf8)).write(to: URL(fileURLWithPath: latin1))
        let notUTF8 = await ExternalTool.run(Self.simgate, ["sims", "import", latin1, "--database", database])
        #expect(notUTF8.status == 1 && notUTF8.output.contains("is not UTF-8 text: line 3 holds byte 0xE9"), "\(notUTF8.output)")

        let typo = try Self.scratch("typo.csv")
        try "iccid,imsi,msidsn\n\(Fixtures.iccid(1)),\(Fixtures.imsi(1)),447700900001\n".write(toFile: typo, atomically: true, encoding: .utf8)
        let refused = await ExternalTool.run(Self.simgate, ["sims", "import", typo, "--database", database])
        #expect(refused.status == 1)
        #expect(refused.output.contains("unknown column 'msidsn'"), "\(refused.output)")
        #expect(!refused.output.contains("DomainError("))

        // A spreadsheet's trailing comma in the header was an unknown column ''; a header alone
        // for an account that does not exist imported 0 SIMs and succeeded.
        let trailing = try Self.scratch("trailing.csv")
        try "iccid,imsi,\n\(Fixtures.iccid(4)),\(Fixtures.imsi(4)),\n".write(toFile: trailing, atomically: true, encoding: .utf8)
        let trailingComma = await ExternalTool.run(Self.simgate, ["sims", "import", trailing, "--database", database])
        #expect(trailingComma.status == 0 && trailingComma.output.contains("Imported 1"), "\(trailingComma.output)")
        let headerOnly = try Self.scratch("header-only.csv")
        try "iccid,imsi\n".write(toFile: headerOnly, atomically: true, encoding: .utf8)
        let noAccount = await ExternalTool.run(Self.simgate, ["sims", "import", headerOnly, "--account", "acct_01M959SSS60DGAABPW9HX6T9AB", "--database", database])
        #expect(noAccount.status == 1 && noAccount.output.contains("No such account"), "\(noAccount.output)")

        // Half a million bad rows listed every problem (an 80 MB page on the dashboard) and
        // looked them up under the write lock: the first 1,000 are listed, all are counted.
        let bad = try Self.scratch("bad-rows.csv")
        try ("iccid,imsi\n" + String(repeating: "1,x\n", count: 3_000)).write(toFile: bad, atomically: true, encoding: .utf8)
        let badRows = await ExternalTool.run(Self.simgate, ["sims", "import", bad, "--database", database])
        #expect(badRows.status == 1 && badRows.output.contains("problem(s) in the import; nothing was imported; the first 1000 are listed"), "\(badRows.output.prefix(300))")
        #expect(badRows.output.split(separator: "\n").count(where: { $0.hasPrefix("  line ") }) == 1_000, "\(badRows.output.prefix(300))")

        // SQLite's refusals came out as "SQLite error 26: file is not a database".
        let garbage = try Self.scratch("not-a-database.sqlite")
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: garbage))
        let notADatabase = await ExternalTool.run(Self.simgate, ["accounts", "create", "Acme", "--database", garbage])
        #expect(notADatabase.status == 1 && notADatabase.output.contains("not a SQLite database"), "\(notADatabase.output)")
        #expect(!notADatabase.output.contains("SQLite error"), "\(notADatabase.output)")

        // A server setting the command does not use stopped it when --database was left to
        // the environment.
        let fromEnvironment = await ExternalTool.run(
            Self.simgate, ["sims", "import", headerOnly], environment: ["SIMGATE_DATABASE": database, "SIMGATE_PORT": "abc"]
        )
        #expect(fromEnvironment.status == 0 && fromEnvironment.output.contains("Imported 0"), "\(fromEnvironment.output)")

        let nowhere = try Self.scratch("never-created.sqlite")
        let absent = await ExternalTool.run(Self.simgate, ["accounts", "create", "Acme", "--database", nowhere])
        #expect(absent.status == 1)
        #expect(absent.output.contains("No SimGate database at"), "\(absent.output)")
        #expect(!FileManager.default.fileExists(atPath: nowhere), "an empty database was created")
    }

    @Test("admin commands write only into a SimGate database: an empty file or another application's is refused and left as it was")
    func foreignDatabaseRefused() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.simgate), "build simgate first (swift build)")
        let empty = try Self.scratch("empty.sqlite")
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        let intoEmpty = await ExternalTool.run(Self.simgate, ["accounts", "create", "Acme", "--database", empty])
        #expect(intoEmpty.status == 1 && intoEmpty.output.contains("No SimGate database at \(empty): it holds no table"), "\(intoEmpty.output)")
        #expect(try FileManager.default.attributesOfItem(atPath: empty)[.size] as? Int == 0, "the empty file was migrated")

        // Another application's SQLite file, with a table of its own.
        let foreign = try Self.scratch("crm.sqlite")
        let database = try SimGateDatabase(.sqlite(path: foreign), logger: Logger(label: "test"))
        try await database.withRunning {
            try await database.sqlTransaction { try await $0.raw("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)").run() }
        }
        #expect(!FileManager.default.fileExists(atPath: foreign + "-wal"), "closed cleanly, the file has no log")
        for command in [["accounts", "create", "Acme"], ["keys", "create", "--operator"]] {
            let refused = await ExternalTool.run(Self.simgate, command + ["--database", foreign])
            #expect(refused.status == 1 && refused.output.contains("is not a SimGate database: it holds other tables (customers)"), "\(refused.output)")
        }
        // Read as immutable: opened read-only alone, SQLite made a WAL file's -wal and -shm and left them.
        #expect(!FileManager.default.fileExists(atPath: foreign + "-wal") && !FileManager.default.fileExists(atPath: foreign + "-shm"))
        let reopened = try SimGateDatabase(.sqlite(path: foreign), logger: Logger(label: "test"))
        let tables = try await reopened.withRunning {
            try await reopened.sqlRead { try await $0.raw("SELECT name FROM sqlite_master WHERE type = 'table'").all().map { try $0.decode(column: "name", as: String.self) } }
        }
        #expect(tables == ["customers"], "SimGate's tables were written into another application's file: \(tables)")
    }

    @Test("a new key's secret that cannot be written out fails the command, naming the key to revoke")
    func secretThatCannotBeShown() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.simgate), "build simgate first (swift build)")
        try #require(FileManager.default.isWritableFile(atPath: "/dev/full"), "needs /dev/full")
        let database = try Self.scratch("secrets.sqlite")
        #expect(await ExternalTool.run(Self.simgate, ["migrate", "--database", database]).status == 0)
        func toFullDisk(_ command: String) async -> ExternalTool.Outcome {
            await ExternalTool.run("/bin/sh", ["-c", "exec '\(Self.simgate)' \(command) --database '\(database)' > /dev/full"])
        }
        let account = await toFullDisk("accounts create Acme")
        #expect(account.status == 1 && account.output.contains("the secret could not be written to standard output"), "\(account.output)")
        let made = try #require(account.output.range(of: #"acct_[0-9A-Z]{26}"#, options: .regularExpression).map { String(account.output[$0]) })
        #expect(account.output.contains("simgate keys create --account \(made)") && account.output.contains("revoke key_"), "\(account.output)")
        let key = await toFullDisk("keys create --account \(made)")
        #expect(key.status == 1 && key.output.contains("the secret could not be written to standard output"), "\(key.output)")
        #expect(key.output.contains("The key key_") && key.output.contains("revoke it"), "\(key.output)")
    }

    @Test("keys create --operator makes a working operator key on the server's database: the way back in")
    func operatorRecovery() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.simgate), "build simgate first (swift build)")
        let path = LockedPath()
        try await TestHarness.run(.sqlite, configure: { configuration in
            if case .sqlite(let file) = configuration.database { path.set(file) }
        }) { app in
            let made = await ExternalTool.run(Self.simgate, ["keys", "create", "--operator", "--database", path.get()])
            #expect(made.status == 0, "\(made.output)")
            let secret = try #require(made.output.split(separator: " ").first { $0.hasPrefix("sgk_") }.map(String.init))
            #expect(try await app.request(.get, "/v1/accounts", key: secret).status == 200)
        }
    }

    /// A path handed out of a configuration closure.
    final class LockedPath: Sendable {
        private let value = Mutex("")
        func set(_ path: String) { value.withLock { $0 = path } }
        func get() -> String { value.withLock { $0 } }
    }

    @Test("serve takes every flag README's settings table lists, and uses it")
    func everyDocumentedFlag() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.simgate), "build simgate first (swift build)")
        let readme = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../README.md"), encoding: .utf8)
        let flags = readme.split(separator: "\n").filter { $0.hasPrefix("| `") }.compactMap { row -> String? in
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            return cells.count > 2 && cells[1].hasPrefix("`--") ? String(cells[1].dropFirst().dropLast()) : nil
        }
        #expect(flags.count >= 14, "\(flags)")
        let help = await ExternalTool.run(Self.simgate, ["serve", "--help"])
        for flag in flags {
            #expect(help.output.contains(flag + " "), "serve --help does not offer \(flag)")
        }
        // A flag's value is read as the setting: a bad one stops start-up naming the flag.
        let refused = await ExternalTool.run(Self.simgate, ["serve", "--database", try Self.scratch("flag.sqlite"), "--webhooks-timeout", "600"])
        #expect(refused.status == 1 && refused.output.contains("--webhooks-timeout='600' cannot be used"), "\(refused.output)")
    }

    @Test("bench statement runs end to end on a small fleet and prints every figure")
    func statementBench() async throws {
        let outcome = try await Self.runSucceeding(["bench", "statement", "--sims", "300", "--runs", "1"], limit: .seconds(120))
        Self.expect(outcome, printed: [
            "seeded: 300 SIMs", "computed (GET", "303 lines", "CSV of every line", "frozen (computed", "frozen, read back (GET, JSON, first 100 lines; state frozen)", "frozen CSV",
        ])
    }

    @Test("bench lists runs end to end on a small fleet and times every list")
    func listsBench() async throws {
        let outcome = try await Self.runSucceeding(["bench", "lists", "--sims", "300", "--events", "3000", "--requests", "2"], limit: .seconds(120))
        Self.expect(outcome, printed: [
            "server RSS at rest", "SIMs by label, deep: p50", "SIMs by country: p50", "SIMs by tariff, deep: p50",
            "events by time (one day, 15 days back): p50", "events of one SIM: p50", "server RSS after the lists",
        ])
    }

    @Test("bench payments posts signed invoices with wrk, each once, times paid invoices to LIVE, and leaves no files behind")
    func paymentsBench() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.simgate), "build simgate first (swift build)")
        try #require(["/usr/bin/wrk", "/usr/local/bin/wrk"].contains { FileManager.default.isExecutableFile(atPath: $0) }, "wrk is not installed (Debian: apt-get install wrk)")
        // A temporary directory of its own, to see what the bench leaves there (its database
        // once stayed behind after every run).
        let temporary = try Self.scratch("tmp")
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        // The bench fails unless every answer was 200 and the invoices outlasted the second.
        let outcome = await ExternalTool.run(
            Self.simgate, ["bench", "payments", "--seconds", "1", "--receipts", "6000", "--concurrency", "4", "--samples", "5", "--port", "0"],
            environment: ["TMPDIR": temporary], limit: .seconds(180)
        )
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary) == [], "left behind in \(temporary)")
        #expect(outcome.output.contains("verified-and-stored webhooks in"), "\(outcome.output)")
        #expect(outcome.output.contains("(wrk, 4 connections, 0 failed)"), "\(outcome.output)")
        #expect(outcome.output.contains("paid invoice -> SIM LIVE: p50"), "\(outcome.output)")
        #expect(outcome.output.contains("(n=5)"), "\(outcome.output)")
    }

    // A later run tends to be faster on a small machine, so each setting runs once early and
    // once late, and the ratio is of the means.
    @Test("bench automation runs the accounting load without rules, with, with and without, and prints the ratio of the means")
    func automationBenchOrder() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.simgate), "build simgate first (swift build)")
        let outcome = await ExternalTool.run(
            Self.simgate, ["bench", "automation", "--part", "accounting", "--updates", "2000", "--sessions", "50", "--rules", "3"], limit: .seconds(180)
        )
        #expect(outcome.status == 0, "\(outcome.output)")
        let runs = outcome.output.split(separator: "\n").filter { $0.contains(" updates in ") }
        #expect(runs.map { $0.trimmingCharacters(in: .whitespaces).prefix(7) } == ["0 rules", "3 rules", "3 rules", "0 rules"], "\(outcome.output)")
        #expect(runs.allSatisfy { $0.contains("2000 updates in") }, "every update answered: \(outcome.output)")
        #expect(outcome.output.contains("with 3 rules (means of two runs each): ratio"), "\(outcome.output)")
    }

    @Test("bench http loads the no-op route first and last and takes the mean of the two as the reference")
    func httpBenchReference() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.simgate), "build simgate first (swift build)")
        try #require(["/usr/bin/wrk", "/usr/local/bin/wrk"].contains { FileManager.default.isExecutableFile(atPath: $0) }, "wrk is not installed (Debian: apt-get install wrk)")
        let outcome = await ExternalTool.run(
            Self.simgate, ["bench", "http", "--seconds", "1", "--connections", "4", "--threads", "1", "--sims", "10"], limit: .seconds(180)
        )
        #expect(outcome.status == 0, "\(outcome.output)")
        let lines = outcome.output.split(separator: "\n").filter { $0.contains(" req/s (") }
        #expect(lines.count == 5, "\(outcome.output)")
        #expect(lines.first?.hasPrefix("no-op GET /health (reference, first)") == true && lines.last?.hasPrefix("no-op GET /health (reference, last)") == true, "\(outcome.output)")
        #expect(lines.allSatisfy { $0.contains("non-2xx 0 of") }, "\(outcome.output)")
        // The reference is the mean of the two no-op runs.
        func rate(_ line: Substring?) -> Double? { line.flatMap { Double($0.split(separator: ": ")[1].split(separator: " ")[0]) } }
        let reference = outcome.output.split(separator: "\n").first { $0.hasPrefix("no-op reference: ") }
            .flatMap { Double($0.dropFirst("no-op reference: ".count).split(separator: " ")[0]) }
        let first = try #require(rate(lines.first)), last = try #require(rate(lines.last)), mean = try #require(reference)
        #expect(abs(mean - (first + last) / 2) <= 1, "\(outcome.output)")
    }

    @Test("bench import imports every SIM through the command line and through the API, and prints both rates")
    func importBench() async throws {
        // 2,500 SIMs: two full API batches and a part one; the bench fails unless each import took all.
        let outcome = try await Self.runSucceeding(["bench", "import", "--sims", "2500", "--connections", "2"], limit: .seconds(120))
        #expect(outcome.output.contains("simgate sims import: 2500 SIMs in"), "\(outcome.output)")
        #expect(outcome.output.contains("POST /v1/sims/import: 2500 SIMs in"), "\(outcome.output)")
        #expect(outcome.output.contains("(3 requests of up to 1,000, 2 in flight)"), "\(outcome.output)")
    }

    @Test(
        "bench failover kills one of three instances mid-load and prints whole counts",
        .enabled(if: TestEngine.available.contains(.postgres), "needs PostgreSQL (SIMGATE_TEST_POSTGRES_URL, or CI=true)")
    )
    func failoverBench() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.simgate), "build simgate first (swift build)")
        // A small run: the bench exits non-zero unless every count is whole.
        let outcome = await ExternalTool.run(
            Self.simgate, ["bench", "failover", "--postgres", TestEngine.postgresURL, "--sessions", "60", "--seconds", "24", "--kill-after", "4", "--suspend", "20"],
            limit: .seconds(300)
        )
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(outcome.output.contains("usage: 60 of 60 SIMs store exactly their last acknowledged counters; bytes lost 0, bytes counted twice 0"), "\(outcome.output)")
        #expect(outcome.output.contains("disconnects: 20 of 20 suspended SIMs' sessions acknowledged"), "\(outcome.output)")
        #expect(outcome.output.contains("webhooks: 80 of 80 status changes delivered"), "\(outcome.output)")
        #expect(outcome.output.contains("killed with SIGKILL"), "\(outcome.output)")
    }

    @Test("bench radius with its own sender stores every update once and times API writes on a flood of their own")
    func radiusBenchOwnSender() async throws {
        // The bench exits non-zero if usage was lost or doubled, or if no API write was timed.
        let outcome = try await Self.runSucceeding(["bench", "radius", "--updates", "2000", "--sessions", "100", "--samples", "5"], limit: .seconds(180))
        Self.expect(outcome, printed: [
            "SimGate accounting:", "nothing lost or doubled", "API suspend/activate during an accounting flood of its own (",
            "Access-Request -> Access-Accept while accounting runs: p50", "API suspend/activate at rest: p50",
        ])
    }

    @Test("bench radius whose server dies mid-load fails once the server has been silent for 30 s, rather than resending for ever")
    func radiusBenchServerDies() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.simgate), "build simgate first (swift build)")
        // A temporary directory of its own, where the bench's server keeps its database.
        let temporary = try Self.scratch("tmp-server-dies")
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        async let outcome = ExternalTool.run(
            Self.simgate, ["bench", "radius", "--updates", "200000", "--sessions", "100", "--samples", "1"], environment: ["TMPDIR": temporary], limit: .seconds(150)
        )
        let killed = try await Self.killBenchServerOnceAccountingRuns(under: temporary, within: .seconds(90))
        let result = await outcome
        #expect(killed, "the bench's server was not seen storing accounting: \(result.output)")
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("the RADIUS server answered nothing for 30 s with requests in flight"), "\(result.output)")
    }

    /// Finds the `simgate serve` whose database lies under `directory`, waits until it has
    /// stored a data session, and kills it (SIGKILL); false if that did not happen in `limit`.
    private static func killBenchServerOnceAccountingRuns(under directory: String, within limit: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        var server: (pid: Int32, database: String)?
        // Another process's state, which nothing here can await: looked at every 100 ms.
        guard try await MultiInstanceFailoverTests.eventually(until: deadline, {
            server = benchServer(under: directory)
            return server != nil
        }), let server else { return false }
        let database = try SimGateDatabase(.sqlite(path: server.database), logger: Logger(label: "test.reader"))
        let accounting = try await database.withRunning {
            try await MultiInstanceFailoverTests.eventually(until: deadline) {
                let sessions = try? await database.sqlRead { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM radius_sessions").first()?.decode(column: "n", as: Int.self)
                }
                return (sessions ?? 0) > 0
            }
        }
        guard accounting else { return false }
        kill(server.pid, SIGKILL)
        return true
    }

    /// The running `simgate serve` whose `--database` lies under `directory`, from /proc.
    private static func benchServer(under directory: String) -> (pid: Int32, database: String)? {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let raw = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let arguments = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard arguments.contains("serve"), let flag = arguments.firstIndex(of: "--database"), flag + 1 < arguments.count,
                  arguments[flag + 1].hasPrefix(directory) else { continue }
            return (pid, arguments[flag + 1])
        }
        return nil
    }

    @Test(
        "a bench whose server cannot start says so and stops, rather than waiting on it",
        arguments: [
            ["bench", "radius", "--updates", "100", "--sessions", "10", "--samples", "1"],
            ["bench", "lists", "--sims", "10", "--events", "10", "--requests", "1"],
        ]
    )
    func benchServerNeverStarts(_ command: [String]) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.simgate), "build simgate first (swift build)")
        // The bench's own `simgate serve` inherits a setting it cannot read, and stops at once.
        // Before, the bench asked its /health 200 times, each try waiting 30 seconds for a port
        // nothing would ever listen on.
        let outcome = await ExternalTool.run(Self.simgate, command, environment: ["SIMGATE_RADIUS_INTERIM_INTERVAL": "5m"], limit: .seconds(90))
        #expect(outcome.status == 1, "\(outcome.output)")
        #expect(outcome.output.contains("SIMGATE_RADIUS_INTERIM_INTERVAL='5m' cannot be used"), "\(outcome.output)")
        #expect(outcome.output.contains("the benchmark's server exited before it answered"), "\(outcome.output)")
    }

    @Test("bench radius refuses rounds it cannot set side by side, before it starts anything", arguments: [
        (["bench", "radius", "--rounds", "2"], "--rounds replays radclient's packet files"),
        (["bench", "radius", "--freeradius", "--rounds", "0"], "--rounds must be 1 to 20"),
        (["bench", "radius", "--freeradius", "--rounds", "21"], "--rounds must be 1 to 20"),
    ])
    func radiusBenchRoundsRefused(_ command: [String], _ message: String) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.simgate), "build simgate first (swift build)")
        let outcome = await ExternalTool.run(Self.simgate, command, limit: .seconds(30))
        // ArgumentParser's exit code for a validation error.
        #expect(outcome.status == 64, "\(outcome.output)")
        #expect(outcome.output.contains(message), "\(outcome.output)")
    }

    @Test("bench payments whose in-process server cannot listen fails with the server's own reason, rather than waiting on it")
    func paymentsBenchPortTaken() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.simgate), "build simgate first (swift build)")
        try #require(["/usr/bin/wrk", "/usr/local/bin/wrk"].contains { FileManager.default.isExecutableFile(atPath: $0) }, "wrk is not installed (Debian: apt-get install wrk)")
        // The port is held by a listener that accepts and never answers: before, each of the
        // bench's 200 tries at /health waited its 30 seconds there.
        let holder = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        defer { holder.close(promise: nil) }
        let port = try #require(holder.localAddress?.port)
        let outcome = await ExternalTool.run(
            Self.simgate, ["bench", "payments", "--seconds", "1", "--samples", "1", "--port", String(port)], limit: .seconds(60)
        )
        #expect(outcome.status == 1, "\(outcome.output)")
        #expect(outcome.output.contains("is already in use"), "\(outcome.output)")
    }

    @Test("serve with a setting it cannot read stops at once with one line naming the variable")
    func malformedSetting() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.simgate), "build simgate first (swift build)")
        let outcome = await ExternalTool.run(Self.simgate, ["serve", "--database", try Self.scratch("bad.sqlite")], environment: ["SIMGATE_RADIUS_INTERIM_INTERVAL": "5m"])
        #expect(outcome.status == 1)
        #expect(outcome.output.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("error: SIMGATE_RADIUS_INTERIM_INTERVAL='5m' cannot be used"), "\(outcome.output)")
    }

    @Test("serve never writes a new key over a secrets key file it cannot use: it stops, naming the file, which stays as it was")
    func unusableKeyFileKept() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.simgate), "build simgate first (swift build)")
        let notText = try Self.scratch("latin1.key")
        let original = Data([0xE9, 0x74, 0xE9, 0xFF, 0x0A])
        try original.write(to: URL(fileURLWithPath: notText))
        let pipe = try Self.scratch("pipe.key")
        try #require(mkfifo(pipe, 0o600) == 0)
        for file in [notText, pipe] {
            let outcome = await ExternalTool.run(
                Self.simgate, ["serve", "--port", "0", "--database", try Self.scratch("keyed.sqlite")],
                environment: ["SIMGATE_SECRETS_KEY_FILE": file, "SIMGATE_RADIUS_AUTH_PORT": "0", "SIMGATE_RADIUS_ACCT_PORT": "0"], limit: .seconds(60)
            )
            #expect(outcome.status == 1, "\(outcome.output)")
            #expect(outcome.output.contains("secrets key file='\(file)' cannot be used"), "\(outcome.output)")
            #expect(!outcome.output.contains("Created a new secrets key"), "\(outcome.output)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: notText)) == original)
        var kept = stat()
        #expect(stat(pipe, &kept) == 0 && kept.st_mode & S_IFMT == S_IFIFO, "the pipe was written over")
    }

    @Test("serve refuses a PostgreSQL URL whose port is out of range instead of connecting somewhere else", arguments: ["99999", "65537", "99999999999999999999", "0"])
    func postgresPortChecked(port: String) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.simgate), "build simgate first (swift build)")
        let outcome = await ExternalTool.run(
            Self.simgate, ["serve", "--port", "0", "--database", "postgres://postgres@127.0.0.1:\(port)/simgate"],
            environment: ["SIMGATE_RADIUS_AUTH_PORT": "0", "SIMGATE_RADIUS_ACCT_PORT": "0", "SIMGATE_SECRETS_KEY": Self.anyKey], limit: .seconds(60)
        )
        #expect(outcome.status == 1, "\(outcome.output)")
        #expect(outcome.output.contains("port") && outcome.output.contains("is not between 1 and 65535"), "\(outcome.output)")
    }

    /// A secrets key for servers that never get as far as using it.
    static let anyKey = Data(repeating: 7, count: 32).base64EncodedString()

    @Test("serve on a host it cannot listen on says so in one line naming the setting", arguments: [
        ("999.1.1.1", "the host is not an address or a name this machine resolves"), ("192.0.2.1", "no interface of this machine has that address"),
    ])
    func hostUnusable(host: String, reason: String) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.simgate), "build simgate first (swift build)")
        let outcome = await ExternalTool.run(
            Self.simgate, ["serve", "--host", host, "--port", "0", "--database", try Self.scratch("host.sqlite")],
            environment: ["SIMGATE_RADIUS_AUTH_PORT": "0", "SIMGATE_RADIUS_ACCT_PORT": "0"], limit: .seconds(60)
        )
        #expect(outcome.status == 1, "\(outcome.output)")
        #expect(outcome.output.contains("error: cannot listen on \(host):0: \(reason) (--host, SIMGATE_HOST)."), "\(outcome.output)")
    }

    @Test("serve on a taken HTTP port fails with one clear line, having announced nothing")
    func httpPortTaken() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.simgate), "build simgate first (swift build)")
        let holder = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        defer { holder.close(promise: nil) }
        let port = try #require(holder.localAddress?.port)
        let database = try Self.scratch("serve.sqlite")
        let outcome = await ExternalTool.run(
            Self.simgate, ["serve", "--port", String(port), "--database", database],
            environment: ["SIMGATE_RADIUS_AUTH_PORT": "0", "SIMGATE_RADIUS_ACCT_PORT": "0"], limit: .seconds(60)
        )
        #expect(outcome.status == 1, "\(outcome.output)")
        #expect(outcome.output.contains("error: cannot listen on 127.0.0.1:\(port): the address is already in use"), "\(outcome.output)")
        #expect(outcome.output.components(separatedBy: "\n").filter { $0.contains("error") }.count == 1, "\(outcome.output)")
        #expect(!outcome.output.contains("sgk_"), "an operator key was shown by a server that never ran")
        #expect(!outcome.output.contains("Fatal") && !outcome.output.contains("Assertion"))
    }
}
