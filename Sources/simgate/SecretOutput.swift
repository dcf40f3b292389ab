import Foundation

/// Secrets the command line shows once (a new API key) must reach whoever ran it.
enum SecretOutput {
    /// Writes `text` and a newline straight to standard output, failing if the write does:
    /// `print` drops write errors, and a command whose output went to a full disk or a closed
    /// descriptor reported success for a secret nobody saw. `lost` says what to do then (the
    /// key is stored by now).
    static func show(_ text: String, lost: String) throws {
        // A pipe whose reader has gone would end the process by SIGPIPE before it could say
        // which key to revoke: the write fails with EPIPE instead.
        signal(SIGPIPE, SIG_IGN)
        do {
            try FileHandle.standardOutput.write(contentsOf: Data((text + "\n").utf8))
        } catch {
            throw CommandFailure("the secret could not be written to standard output (\((error as NSError).localizedDescription)). \(lost)")
        }
    }
}
