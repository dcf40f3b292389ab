import Foundation
import SimGateTestSupport
import Testing
@testable import SimGateCore

@Suite("Sortable identifiers")
struct IdentifierGeneratorTests {
    @Test("identifiers made one after another sort in creation order, even within one millisecond")
    func monotonic() {
        let clock = ManualWallClock()
        let generator = IdentifierGenerator(clock: clock)
        var previous: SimID = generator.make()
        for step in 0..<5_000 {
            if step % 1_000 == 0 { clock.advance(by: 0.001) }
            let next: SimID = generator.make()
            #expect(previous < next)
            previous = next
        }
    }

    @Test("an identifier carries its kind's prefix and parses back only as that kind")
    func prefixes() {
        let generator = IdentifierGenerator(clock: SystemWallClock())
        let id: AccountID = generator.make()
        #expect(id.rawValue.hasPrefix("acct_"))
        #expect(id.rawValue.count == 5 + 26)
        #expect(AccountID(parsing: id.rawValue) == id)
        #expect(SimID(parsing: id.rawValue) == nil)
        #expect(SimID(parsing: "sim_") == nil)
        #expect(SimID(parsing: "sim_abc'; DROP") == nil)
    }
}
