import Foundation
import SimGateCore
import Testing

@Suite("Times as stored milliseconds")
struct EpochMillisecondsTests {
    @Test("a time round-trips through its milliseconds, and times beyond any calendar saturate instead of trapping")
    func roundTripAndSaturation() {
        for milliseconds: Int64 in [0, 1, 123, 999, 1_798_761_600_123, -1] {
            #expect(Date(epochMilliseconds: milliseconds).epochMilliseconds == milliseconds)
        }
        #expect(Date(timeIntervalSince1970: 1e300).epochMilliseconds == .max)
        #expect(Date(timeIntervalSince1970: -1e300).epochMilliseconds == .min)
        #expect(Date(timeIntervalSince1970: .infinity).epochMilliseconds == .max)
    }
}
