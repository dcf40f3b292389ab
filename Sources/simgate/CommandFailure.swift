import Foundation
import NIOCore
import SimGateCore
import SimGateRADIUS
import SimGateServer
import SimGateStore

/// A command that cannot do what was asked, said in one sentence.
struct CommandFailure: Error, CustomStringConvertible {
    /// The sentence shown after `error: `.
    let description: String
    /// A failure described by `description`.
    init(_ description: String) { self.description = description }
}

/// The lines a person sees when a command fails: what went wrong, in words, one problem a
/// line, rather than a type's debug dump.
enum CommandErrorText {
    /// The text for `error`, or `nil` for errors ArgumentParser reports itself (usage, help).
    static func lines(for error: any Error) -> [String]? {
        switch error {
        case let failure as CommandFailure:
            return ["error: \(failure.description)"]
        case let configuration as ConfigurationError:
            return ["error: \(configuration.description)"]
        case let domain as DomainError:
            var lines = ["error: \(domain.message)"]
            lines += domain.issues.map { "  \($0.param ?? "-"): \($0.message)" }
            return lines
        case let store as StoreError:
            return ["error: \(describe(store))"]
        case let bind as RADIUSBindError:
            return ["error: \(bind.description)"]
        case let io as IOError where io.errnoCode == EADDRINUSE:
            return ["error: the address SimGate should listen on is already in use (another SimGate, or another server, holds the port)."]
        case let cocoa as CocoaError where cocoa.code == .fileReadNoSuchFile || cocoa.code == .fileNoSuchFile:
            return ["error: no such file: \(cocoa.filePath ?? "?")"]
        case let cocoa as CocoaError:
            return ["error: cannot read \(cocoa.filePath ?? "the file"): \(cocoa.localizedDescription)"]
        default:
            // SQLite's own refusals (the file locked by another writer, not a database, cannot
            // be opened), in words rather than as "SQLite error 5".
            if let fault = storageFault(in: error) {
                // Only a busy database has another writer to wait for; the rest is the file's
                // or the disk's, and waiting changes nothing.
                let advice = fault.contains("another writer")
                    ? "Try again once the other writer (an import, a running server) is done."
                    : "Check --database and the disk it is on."
                return ["error: \(fault); nothing was stored. \(advice)"]
            }
            return nil
        }
    }

    private static func describe(_ error: StoreError) -> String {
        switch error {
        case .databaseClosed: "the database was closed while the command still needed it."
        case .connectionUnavailable(let waited): "the database gave no connection within \(waited)."
        case .groupCommitFailed(let reason, _): "the database could not commit the work (\(reason.prefix(200)))."
        case .corruptRow(let table, let column, let value): "the database holds a value SimGate cannot read (\(table).\(column) = \(value.prefix(40)))."
        case .invalidConfiguration(let message): message
        case .connectionLost: "the database closed its connection while the command used it; nothing of the unfinished work was stored."
        case .connectionLostAtCommit: "the database closed its connection while the command's work was being committed: it may or may not have been stored."
        }
    }
}
