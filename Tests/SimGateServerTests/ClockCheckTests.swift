import Foundation
import Logging
import SimGateTestSupport
import Synchronization
import Testing

@Suite("A clock that went back is told at start")
struct ClockCheckTests {
    /// A server restarted with its clock two hours behind its newest event went on in silence,
    /// dating new changes before old ones: a suspension ended a LIVE period before it began and
    /// a statement showed the SIM OFFLINE for a month it was LIVE in (clock probe).
    @Test("a start with the clock behind the newest stored event warns once with both times; a start with it ahead says nothing", arguments: TestEngine.available)
    func behindIsWarned(engine: TestEngine) async throws {
        let first = Mutex<TestHarness?>(nil)
        try await TestHarness.run(engine) { app in
            _ = try await app.importSims(0..<1)
            first.withLock { $0 = app }
        }
        let earlier = try #require(first.withLock { $0 })
        let newest = earlier.clock.now()
        func startsWarning(at time: Date) async throws -> [(Logger.Level, String, Logger.Metadata)] {
            earlier.clock.set(time)
            let lines = AccountingWarningsTests.Lines()
            try await TestHarness.run(engine, restarting: earlier, logger: Logger(label: "clock-check") { _ in lines.handler }) { _ in }
            return lines.lines.withLock { $0 }.filter { $0.1.contains("clock reads earlier") }
        }
        let behind = try await startsWarning(at: newest.addingTimeInterval(-2 * 3_600))
        #expect(behind.count == 1 && behind.first?.0 == .warning, "\(behind)")
        #expect(behind.first?.2["behind_seconds"] == "7200", "\(behind)")
        #expect(behind.first?.2["newest_event"] == "\(RFC3339Text.format(newest))", "\(behind)")
        #expect(try await startsWarning(at: newest.addingTimeInterval(-30)).isEmpty, "within the tolerance of instances' clocks")
        #expect(try await startsWarning(at: newest.addingTimeInterval(3_600)).isEmpty)
    }
}
