import Logging
@testable import SimGateServer
import Synchronization
import Testing

/// A gateway sending thousands of reports SimGate cannot store wrote a warning line for each.
@Suite("Accounting warnings")
struct AccountingWarningsTests {
    /// Keeps every line logged through it, with its level.
    final class Lines: Sendable {
        let lines = Mutex<[(Logger.Level, String, Logger.Metadata)]>([])

        var handler: some LogHandler { Handler(lines: self) }

        struct Handler: LogHandler {
            let lines: Lines
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .trace
            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }
            func log(event: LogEvent) {
                lines.lines.withLock { $0.append((event.level, event.message.description, event.metadata ?? [:])) }
            }
        }
    }

    @Test("each kind warns once an interval with its count so far; the rest go to debug")
    func throttled() {
        let lines = Lines()
        let warnings = AccountingWarnings(logger: Logger(label: "test") { _ in lines.handler }, interval: .seconds(3_600))
        for index in 0..<1_000 { warnings.warn("unknown_sim", "unknown SIM", metadata: ["imsi": "\(index)"]) }
        warnings.warn("stale_session", "stale", metadata: [:])
        let logged = lines.lines.withLock { $0 }
        let warned = logged.filter { $0.0 == .warning }
        #expect(warned.map(\.1) == ["unknown SIM", "stale"])
        #expect(warned.first?.2["imsi"] == "0" && warned.first?.2["so_far"] == "1")
        #expect(logged.filter { $0.0 == .debug }.count == 999)
        #expect(logged.last(where: { $0.1 == "unknown SIM" })?.2["so_far"] == "1000")
    }
}
