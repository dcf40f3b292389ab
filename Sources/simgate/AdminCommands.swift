import ArgumentParser
import Foundation
import SimGateCore
import SimGateServer

/// `simgate accounts`: customer accounts.
struct AccountsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "accounts", abstract: "Manage accounts.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a customer account and a first API key for it.")

        @Argument(help: "The customer's name.") var name: String
        @OptionGroup var databaseOptions: DatabaseOptions

        func run() async throws {
            let name = self.name
            let (account, key) = try await databaseOptions.withMigratedDatabase { database in
                let admin = Administration(database: database)
                let account = try await admin.createCustomer(name: name)
                return (account, try await admin.createKey(accountID: account, name: "default"))
            }
            print("account: \(account)\napi key: \(key.secret)   (shown once)")
        }
    }
}

/// `simgate keys`: API keys.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "Manage API keys.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API key for an account.",
            discussion: "With --operator, a key for the operator's account: the way back in when every operator key is lost."
        )

        @Option(help: "The account (acct_...).") var account: String?
        @Flag(help: "Create the key for the operator's account.") var `operator` = false
        @Option(help: "A name to recognise the key by.") var name = "cli"
        @OptionGroup var databaseOptions: DatabaseOptions

        func validate() throws {
            guard (account == nil) != !`operator` else { throw ValidationError("Give either --account acct_... or --operator.") }
            if let account, AccountID(parsing: account) == nil { throw ValidationError("--account must be an id starting with acct_") }
        }

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
            print("api key: \(key.secret)   (shown once; id \(key.id))")
        }
    }
}

/// `simgate usage`: usage from elsewhere.
struct UsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "usage", abstract: "Import usage records.", subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import usage records (CDRs) from a CSV file.",
            discussion: """
                Header row: id,sim,started_at,ended_at,bytes_up,bytes_down[,mcc_mnc,country,rat,session_id,imei]. \
                'sim' is a sim_ id or an ICCID (a column named 'iccid' works too); times are RFC 3339. \
                Valid rows are kept and bad ones listed by line (exit status 1); a row whose id was \
                imported before changes nothing, so importing a file twice is safe.
                """
        )

        @Argument(help: "The CSV file.") var file: String
        @OptionGroup var databaseOptions: DatabaseOptions

        func run() async throws {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let summary = try await databaseOptions.withMigratedDatabase { try await Administration(database: $0).importUsage(csv: text) }
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
    static let configuration = CommandConfiguration(commandName: "sims", abstract: "Manage SIM stock.", subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import SIMs from a CSV file.",
            discussion: "Header row: iccid,imsi[,msisdn,eid,serial_number,labels]; labels separated by ';'. All rows or none."
        )

        @Argument(help: "The CSV file.") var file: String
        @Option(help: "Assign the SIMs to this account (acct_...).") var account: String?
        @OptionGroup var databaseOptions: DatabaseOptions

        func run() async throws {
            let accountID = try account.map { text in
                guard let id = AccountID(parsing: text) else { throw ValidationError("--account must be an id starting with acct_") }
                return id
            }
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let count = try await databaseOptions.withMigratedDatabase { try await Administration(database: $0).importSims(csv: text, accountID: accountID) }
            print("Imported \(count) SIM(s).")
        }
    }
}
