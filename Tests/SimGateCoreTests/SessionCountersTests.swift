import Testing
@testable import SimGateCore

@Suite("Accounting counters to usage deltas")
struct SessionCountersTests {
    @Test("gigawords extend the 32-bit octet counters")
    func gigawords() {
        #expect(SessionCounters.total(octets: 5, gigawords: 2) == 2 * 4_294_967_296 + 5)
    }

    @Test("interim totals become deltas; a retransmission adds nothing; a lower total is flagged, not subtracted")
    func deltas() {
        var counters = SessionCounters()
        #expect(counters.record(inputBytes: 1_000, outputBytes: 5_000) == .init(inputBytes: 1_000, outputBytes: 5_000, wentBackwards: false))
        #expect(counters.record(inputBytes: 1_000, outputBytes: 5_000).isEmpty)
        #expect(counters.record(inputBytes: 1_500, outputBytes: 9_000) == .init(inputBytes: 500, outputBytes: 4_000, wentBackwards: false))
        let reordered = counters.record(inputBytes: 1_200, outputBytes: 9_500)
        #expect(reordered == .init(inputBytes: 0, outputBytes: 500, wentBackwards: true))
        #expect(counters.inputBytes == 1_500)
        #expect(counters.outputBytes == 9_500)
    }

    @Test("any order of the same reports adds up to the final totals exactly once")
    func orderIndependentSum() {
        let reports: [(UInt64, UInt64)] = [(100, 1_000), (250, 2_000), (900, 2_500), (1_400, 9_000)]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            var counters = SessionCounters()
            var delivered = reports + reports.shuffled(using: &generator).prefix(2)
            delivered.shuffle(using: &generator)
            var sum: (UInt64, UInt64) = (0, 0)
            for (input, output) in delivered {
                let delta = counters.record(inputBytes: input, outputBytes: output)
                sum.0 += delta.inputBytes
                sum.1 += delta.outputBytes
            }
            #expect(sum == (1_400, 9_000))
        }
    }
}
