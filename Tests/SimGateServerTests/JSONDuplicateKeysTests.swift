import Foundation
@testable import SimGateServer
import SimGateTestSupport
import Testing

@Suite("Duplicate JSON keys", .timeLimit(.minutes(1)))
struct JSONDuplicateKeysTests {
    @Test("a key repeated in one object is found with its path, escaped or not; the same key in other objects is not")
    func found() {
        #expect(JSONDuplicateKeys.first(in: Data(#"{"a": 1, "a": 2}"#.utf8)) == "a")
        #expect(JSONDuplicateKeys.first(in: Data(#"{"sims": [{"iccid": "1"}, {"iccid": "2", "i\u0063cid": "3"}]}"#.utf8)) == "sims[1].iccid")
        #expect(JSONDuplicateKeys.first(in: Data(#"{"a": {"b": 1}, "c": {"b": 2}}"#.utf8)) == nil)
    }

    @Test("any bytes at all end the scan: random and mangled input never loops")
    func terminates() {
        var random = SeededGenerator.fromEnvironment()
        let alphabet = Array(#"{}[]:,"\ a1-tn"#.utf8)
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0...40, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
            _ = JSONDuplicateKeys.first(in: Data(bytes))
        }
        #expect(JSONDuplicateKeys.first(in: Data("[}]:,".utf8)) == nil, "seed \(random.seed)")
    }
}
