import Foundation
import SimGateCore
import SimGateStore

/// What the command line may do to a SimGate database, acting as the system.
public struct Administration: Sendable {
    /// Accounts and keys, acting as the system.
    let accounts: AccountService
    /// SIMs, acting as the system.
    let sims: SimService

    /// Administration of `database`; changes are recorded as made by the system's `cli` actor.
    public init(database: SimGateDatabase, clock: any WallClock = SystemWallClock()) {
        let ids = IdentifierGenerator(clock: clock)
        let store = Store(database: database, ids: ids)
        accounts = AccountService(store: store, clock: clock, ids: ids)
        sims = SimService(store: store, clock: clock, ids: ids, handover: [BillingBindings(clock: clock, ids: ids), RuleMemoryHandover()])
    }

    private func cause(_ command: String) -> ChangeCause {
        ChangeCause(actor: ChangeActor(.system, id: "cli"), reason: command)
    }

    /// Creates the operator if there is none; returns its new key, or `nil` if one existed.
    public func bootstrapOperator() async throws -> String? {
        try await accounts.bootstrapOperatorOnce()
    }

    /// Creates a customer account; returns its id. The name is checked as the API checks it.
    public func createCustomer(name: String) async throws -> AccountID {
        try RequestText.requireNonBlank(name, param: "name", maximumLength: Account.maximumNameLength)
        return try await accounts.createCustomer(name: name, cause: cause("accounts create")).id
    }

    /// The operator's account, for a new operator key when every other is lost or revoked.
    public func operatorAccountID() async throws -> AccountID {
        guard let id = try await accounts.operatorAccountID() else {
            throw DomainError(.notFound, code: "resource_missing", message: "This database has no operator account yet; start SimGate once to create it.")
        }
        return id
    }

    /// Creates a key for an account; returns the key's id and secret.
    public func createKey(accountID: AccountID, name: String) async throws -> (id: APIKeyID, secret: String) {
        try RequestText.requireNonBlank(name, param: "name", maximumLength: APIKey.maximumNameLength)
        let (key, secret) = try await accounts.createKey(for: accountID, name: name, cause: cause("keys create"))
        return (key.id, secret)
    }

    /// Imports the SIMs of a CSV file with a header row naming `iccid`, `imsi` and optionally
    /// `msisdn`, `eid`, `serial_number`, `labels` (separated by `;`). All or nothing: every
    /// bad row is reported by line and nothing is imported. `progress` hears how many SIMs of
    /// how many are written, as the import goes. The text is consumed: passed with `consume`,
    /// it is freed once read, not held through the import.
    public func importSims(
        csv text: consuming String, accountID: AccountID?, progress: (@Sendable (_ written: Int, _ of: Int) -> Void)? = nil
    ) async throws -> Int {
        try await StockCSVImport(sims: sims).run(csv: consume text, accountID: accountID, cause: cause("sims import"), progress: progress)
    }
}

extension Administration {
    /// Valid rows of a usage import stored in one unit of work: the API's largest batch.
    static let usageImportBatch = UsageRecordsRequest.maximumRecords

    /// What a usage import did: records kept, resends skipped, and each rejected row by line.
    public struct UsageImportSummary: Sendable {
        /// Records newly stored.
        public let accepted: Int
        /// Rows skipped because a record with their id was already imported.
        public let duplicates: Int
        /// One message per rejected row (`line N: field: problem`), in line order.
        public let problems: [String]
    }

    /// Imports usage records (CDRs) from a CSV file whose header names `id` (the sender's own
    /// record id), `sim` (a sim_ id or ICCID; `iccid` is read as well), `started_at`,
    /// `ended_at`, `bytes_up`, `bytes_down`, and optionally `mcc_mnc`, `country`, `rat`,
    /// `session_id`, `imei`. Valid rows are kept, bad ones reported by line, and a row already
    /// imported (same id) changes nothing, so a file can be imported again safely.
    ///
    /// Valid rows are stored ``usageImportBatch`` at a time, each batch in its own unit of
    /// work (as the API takes them): one unit of work for a whole file held every record, SIM
    /// and event of it in memory at once, 1.5 GB for 200,000 records. An import cut short has
    /// stored whole batches, and running it again stores the rest.
    public func importUsage(csv text: String, progress: (@Sendable (_ written: Int, _ of: Int) -> Void)? = nil) async throws -> UsageImportSummary {
        let table: CSVTable
        do { table = try CSVTable(parsing: text) } catch let error as CSVError {
            throw DomainError(.invalid, code: "invalid_csv", message: error.description)
        }
        let simColumn = table.header.contains("sim") ? "sim" : "iccid"
        try table.checkColumns(
            required: ["id", simColumn, "started_at", "ended_at", "bytes_up", "bytes_down"],
            optional: ["mcc_mnc", "country", "rat", "session_id", "imei"]
        )
        var valid: [(position: Int, record: ValidUsageRecord)] = []
        var problems: [(line: Int, text: String)] = []
        for (index, row) in table.rows.enumerated() {
            let input = UsageRecordInput { key in
                let value = table.value(key == .sim ? simColumn : key.rawValue, in: row.fields)
                return value?.isEmpty == true ? nil : value
            }
            switch input.validated(index: index, now: sims.clock.now()) {
            case .success(let record): valid.append((index, record))
            case .failure(let error): problems.append((row.line, Self.describe(error, line: row.line)))
            }
        }
        // In the order the data was used (a CDR's start), as one unit of work would have taken
        // them: a SIM's first use, and the device it is bound to, are fixed by its earliest
        // record, which an unsorted file may put in a later batch than a later record.
        valid.sort { ($0.record.startedAt, $0.position) < ($1.record.startedAt, $1.position) }
        var outcome = UsageImport.Outcome()
        for start in stride(from: 0, to: valid.count, by: Self.usageImportBatch) {
            let batch = Array(valid[start..<min(start + Self.usageImportBatch, valid.count)])
            let stored = try await UsageImport(sims: sims).store(batch, source: "csv", senderScope: nil, visibleAccountID: nil, cause: cause("usage import"))
            outcome.accepted += stored.accepted
            outcome.duplicates += stored.duplicates
            outcome.missing += stored.missing
            outcome.overflowing += stored.overflowing
            progress?(start + batch.count, valid.count)
        }
        for position in outcome.missing {
            problems.append((table.rows[position].line, "line \(table.rows[position].line): \(simColumn): no such SIM"))
        }
        for position in outcome.overflowing {
            problems.append((table.rows[position].line, "line \(table.rows[position].line): bytes: the SIM's usage total would pass 9223372036854775807 bytes"))
        }
        return UsageImportSummary(accepted: outcome.accepted, duplicates: outcome.duplicates, problems: problems.sorted { $0.line < $1.line }.map(\.text))
    }

    /// A header must name every required column and nothing else: a misspelt `msidsn` is an
    /// error, not a column silently dropped.
    private static func describe(_ error: DomainError, line: Int) -> String {
        let field = error.param.map { $0.split(separator: ".").last.map(String.init) ?? $0 } ?? "-"
        return "line \(line): \(field): \(error.message)"
    }
}

extension DomainError {
    /// The same error with `sims[i].field` params rewritten as `line N: field`, for files.
    func withRowsNamedByLine(_ lines: [Int]) -> DomainError {
        DomainError(kind, code: code, message: message, param: param, details: details, issues: issues.map { issue in
            guard let param = issue.param, param.hasPrefix("sims["), let close = param.firstIndex(of: "]"),
                  let index = Int(param[param.index(param.startIndex, offsetBy: 5)..<close]), lines.indices.contains(index)
            else { return issue }
            let field = param[param.index(after: close)...].drop { $0 == "." }
            return DomainError(issue.kind, code: issue.code, message: Self.namingRowsByLine(issue.message, lines), param: "line \(lines[index]): \(field)")
        })
    }

    /// `message` with each `sims[i]` it mentions (the row a duplicate repeats) written as that
    /// row's line, as a file's reader knows it.
    private static func namingRowsByLine(_ message: String, _ lines: [Int]) -> String {
        var named = ""
        var rest = Substring(message)
        while let open = rest.range(of: "sims[") {
            named += rest[..<open.lowerBound]
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.firstIndex(of: "]"), let index = Int(afterOpen[..<close]), lines.indices.contains(index) else {
                named += rest[open]
                rest = afterOpen
                continue
            }
            named += "line \(lines[index])"
            rest = afterOpen[afterOpen.index(after: close)...]
        }
        return named + rest
    }
}
