import Foundation

/// Says how far a long import is, on one line of the terminal that it rewrites: rows written of
/// rows, rows per second, and the time left. Only when standard error is a terminal: in a pipe
/// or a log file it says nothing, so scripts read the command's one result line alone.
final class ImportProgress: @unchecked Sendable {
    // Mutated under `lock` only; reports come from the import's task one after another.
    private let lock = NSLock()
    private let started = ContinuousClock.now
    private var lastShown: ContinuousClock.Instant?
    private var shownAny = false
    private let noun: String
    /// Whether anything is shown at all.
    let isShown: Bool

    /// A reporter for rows called `noun` (`SIMs`); silent unless standard error is a terminal.
    init(noun: String, terminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.noun = noun
        isShown = terminal
    }

    /// Notes that `written` of `total` rows are done; redraws at most five times a second.
    func report(_ written: Int, of total: Int) {
        guard isShown else { return }
        let now = ContinuousClock.now
        let line: String? = lock.withLock {
            if let lastShown, now - lastShown < .milliseconds(200), written < total { return nil }
            lastShown = now
            shownAny = true
            let seconds = max(0.001, Double((now - started).components.attoseconds) / 1e18 + Double((now - started).components.seconds))
            let rate = Double(written) / seconds
            let left = rate > 0 ? Double(total - written) / rate : 0
            return String(format: "\r%@ of %@ %@, %@ %@/s, %.0f s left   ", Self.grouped(written), Self.grouped(total), noun, Self.grouped(Int(rate)), noun, left)
        }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// Ends the progress line, if one was drawn.
    func finish() {
        guard isShown, lock.withLock({ shownAny }) else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private static func grouped(_ value: Int) -> String {
        let digits = String(value)
        var out = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return String(out.reversed())
    }
}
