import ArgumentParser
import Synchronization
import Foundation
import SimGateCore
import SimGateServer

/// `simgate accounts`: customer accounts.
struct AccountsCommand: AsyncParsableCommand {
    /// `simgate accounts`, whose one subcommand is `create`.
    static let configuration = CommandConfiguration(commandName: "accounts", abstract: "Manage accounts.", subcommands: [Create.self])

    /// `simgate accounts create NAME`: a new customer account and its first API key.
    struct Create: AsyncParsableCommand {
        /// The help text of `accounts create`.
        static let configuration = CommandConfiguration(abstract: "Create a customer account and a first API key for it.")

        /// The new customer's name.
        @Argument(help: "The customer's name.") var name: String
        /// Which database to write to (`--database`).
        @OptionGroup var databaseOptions: DatabaseOptions

        /// Creates the account and a key named `default`, and prints both; the secret is shown only here.
        func run() async throws {
            let name = self.name
            let (account, key) = try await databaseOptions.withMigratedDatabase { database in
                let admin = Administration(database: database)
                let account = try await admin.createCustomer(name: name)
                return (account, try await admin.createKey(accountID: account, name: "default"))
            }
            try SecretOutput.show(
                "account: \(account)\napi key: \(key.secret)   (shown once)",
                lost: "The account \(account) was made with key \(key.id), whose secret is lost: make another with simgate keys create --account \(account), and revoke \(key.id)."
            )
        }
    }
}

/// `simgate keys`: API keys.
struct KeysCommand: AsyncParsableCommand {
    /// `simgate keys`, whose one subcommand is `create`.
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "Manage API keys.", subcommands: [Create.self])

    /// `simgate keys create`: an API key for one account, or for the operator's with `--operator`.
    struct Create: AsyncParsableCommand {
        /// The help text of `keys create`, which calls `--operator` the way back in.
        static let configuration = CommandConfiguration(
            abstract: "Create an API key for an account.",
            discussion: "With --operator, a key for the operator's account: the way back in when every operator key is lost."
        )

        /// `--account acct_...`: the account to make the key for; `nil` only with `--operator`.
        @Option(help: "The account (acct_...).") var account: String?
        /// `--operator`: make the key for the operator's own account instead.
        @Flag(help: "Create the key for the operator's account.") var `operator` = false
        /// `--name`: a label to tell the key apart by (`cli` by default).
        @Option(help: "A name to recognise the key by.") var name = "cli"
        /// Which database to write to (`--database`).
        @OptionGroup var databaseOptions: DatabaseOptions

        /// Requires exactly one of `--account` and `--operator`, and a well-formed account id.
        func validate() throws {
            guard (account == nil) != !`operator` else { throw ValidationError("Give either --account acct_... or --operator.") }
            if let account, AccountID(parsing: account) == nil { throw ValidationError("--account must be an id starting with acct_") }
        }

        /// Creates the key and prints its secret (shown once) and its id.
        func run() async throws {
            let (name, requested, forOperator) = (self.name, account.flatMap(AccountID.init(parsing:)), `operator`)
            let key = try await databaseOptions.withMigratedDatabase { database in
                let admin = Administration(database: database)
                let accountID: AccountID
                if forOperator {
                    accountID = try await admin.operatorAccountID()
                } else if let requested {
                    accountID = requested
                } else {
                    throw CommandFailure("Give either --account acct_... or --operator.")
                }
                return try await admin.createKey(accountID: accountID, name: name)
            }
            try SecretOutput.show(
                "api key: \(key.secret)   (shown once; id \(key.id))",
                lost: "The key \(key.id) was made, but its secret is lost: revoke it and make another."
            )
        }
    }
}

/// `simgate usage`: usage from elsewhere.
struct UsageCommand: AsyncParsableCommand {
    /// `simgate usage`, whose one subcommand is `import`.
    static let configuration = CommandConfiguration(commandName: "usage", abstract: "Import usage records.", subcommands: [Import.self])

    /// `simgate usage import FILE`: usage records (CDRs) from CSV; ids seen before are skipped.
    struct Import: AsyncParsableCommand {
        /// The help text of `usage import`, with the CSV columns it expects.
        static let configuration = CommandConfiguration(
            abstract: "Import usage records (CDRs) from a CSV file.",
            discussion: """
                Header row: id,sim,started_at,ended_at,bytes_up,bytes_down[,mcc_mnc,country,rat,session_id,imei]. \
                'sim' is a sim_ id or an ICCID (a column named 'iccid' works too); times are RFC 3339. \
                Valid rows are kept and bad ones listed by line (exit status 1); a row whose id was \
                imported before changes nothing, so importing a file twice is safe. Rows are stored \
                10,000 at a time: an import cut short kept whole batches, and running it again stores the rest.
                """
        )

        /// Path of the CSV file to import.
        @Argument(help: "The CSV file.") var file: String
        /// Which database to write to (`--database`).
        @OptionGroup var databaseOptions: DatabaseOptions

        /// Imports the file and prints a summary; rejected rows go to stderr, with exit status 1.
        func run() async throws {
            let text = try InputFile.text(at: file)
            let progress = ImportProgress(noun: "records")
            let summary = try await databaseOptions.withMigratedDatabase {
                try await Administration(database: $0).importUsage(csv: text) { written, total in progress.report(written, of: total) }
            }
            progress.finish()
            print("Imported \(summary.accepted) record(s); \(summary.duplicates) already imported; \(summary.problems.count) rejected.")
            guard summary.problems.isEmpty else {
                FileHandle.standardError.write(Data((summary.problems.joined(separator: "\n") + "\n").utf8))
                throw ExitCode.failure
            }
        }
    }
}

/// `simgate sims`: stock.
struct SimsCommand: AsyncParsableCommand {
    /// `simgate sims`, whose one subcommand is `import`.
    static let configuration = CommandConfiguration(commandName: "sims", abstract: "Manage SIM stock.", subcommands: [Import.self])

    /// `simgate sims import FILE`: SIMs into stock from CSV, all rows or none.
    struct Import: AsyncParsableCommand {
        /// The help text of `sims import`, with the CSV columns it expects.
        static let configuration = CommandConfiguration(
            abstract: "Import SIMs from a CSV file.",
            discussion: "Header row: iccid,imsi[,msisdn,eid,serial_number,labels]; labels separated by ';'. All rows or none."
        )

        /// Path of the CSV file of SIMs.
        @Argument(help: "The CSV file.") var file: String
        /// `--account acct_...`: the account to give the SIMs to; `nil` imports them without one.
        @Option(help: "Assign the SIMs to this account (acct_...).") var account: String?
        /// Which database to write to (`--database`).
        @OptionGroup var databaseOptions: DatabaseOptions

        /// Refuses a malformed `--account` before anything runs, with this command's usage line.
        func validate() throws {
            if let account, AccountID(parsing: account) == nil { throw ValidationError("--account must be an id starting with acct_") }
        }

        /// Imports the file and prints how many SIMs were added; on a terminal, shows its
        /// progress as it goes.
        func run() async throws {
            let accountID = account.flatMap(AccountID.init(parsing:))
            // Read before the database is opened, so that a missing file is named first; handed
            // over whole, so that the import can let it go once it is read.
            let file = FileText(try InputFile.text(at: file))
            let progress = ImportProgress(noun: "SIMs")
            let count = try await databaseOptions.withMigratedDatabase {
                let text = file.take()
                return try await Administration(database: $0).importSims(csv: consume text, accountID: accountID) { written, total in progress.report(written, of: total) }
            }
            progress.finish()
            print("Imported \(count) SIM(s).")
        }
    }
}

/// A file's text, read once and then taken by whoever imports it, so that nothing else holds
/// on to it.
final class FileText: Sendable {
    private let text: Mutex<String?>

    init(_ text: String) {
        self.text = Mutex(text)
    }

    /// The text; empty after the first call.
    func take() -> String {
        text.withLock { $0.take() } ?? ""
    }
}
