import Foundation
@testable import SimGateServer
import SimGateTestSupport
import Testing

@Suite("Duplicate JSON keys", .timeLimit(.minutes(1)))
struct JSONDuplicateKeysTests {
    @Test("a key repeated in one object is found with its path, escaped or not; the same key in other objects is not")
    func found() throws {
        #expect(try JSONDuplicateKeys.first(in: Data(#"{"a": 1, "a": 2}"#.utf8)) == "a")
        #expect(try JSONDuplicateKeys.first(in: Data(#"{"sims": [{"iccid": "1"}, {"iccid": "2", "i\u0063cid": "3"}]}"#.utf8)) == "sims[1].iccid")
        #expect(try JSONDuplicateKeys.first(in: Data(#"{"a": {"b": 1}, "c": {"b": 2}}"#.utf8)) == nil)
    }

    @Test("a comma out of place is found where it is; commas between members and elements are not")
    func strayCommas() throws {
        for (text, offset) in [(#"{"a": 1,}"#, 7), (#"[1,]"#, 2), (#"[,1]"#, 1), (#"{"a": [1,,2]}"#, 9), (#"{,"a": 1}"#, 1)] {
            #expect(throws: JSONDuplicateKeys.StrayComma(offset: offset)) { try JSONDuplicateKeys.first(in: Data(text.utf8)) }
        }
        for text in [#"{"a": [1, 2], "b": {"c": [], "d": {}}}"#, "[]", "{}", #"[[1], [2, 3]]"#, #"{"a,": ",]"}"#] {
            #expect(try JSONDuplicateKeys.first(in: Data(text.utf8)) == nil, "\(text)")
        }
    }

    @Test("any bytes at all end the scan: random and mangled input never loops")
    func terminates() throws {
        var random = SeededGenerator.fromEnvironment()
        let alphabet = Array(#"{}[]:,"\ a1-tn"#.utf8)
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0...40, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
            _ = try? JSONDuplicateKeys.first(in: Data(bytes))
        }
        #expect(try JSONDuplicateKeys.first(in: Data("[}]:,".utf8)) == nil, "seed \(random.seed)")
    }

    @Test("objects and arrays nested past the limit stop the scan, at any depth, without running out of stack")
    func nestingLimit() throws {
        func nested(_ depth: Int) -> Data { Data((String(repeating: "[{\"k\":", count: depth / 2) + "1" + String(repeating: "}]", count: depth / 2)).utf8) }
        #expect(try JSONDuplicateKeys.first(in: nested(JSONDuplicateKeys.maximumDepth)) == nil)
        #expect(throws: JSONDuplicateKeys.TooDeep.self) { try JSONDuplicateKeys.first(in: nested(JSONDuplicateKeys.maximumDepth + 2)) }
        #expect(throws: JSONDuplicateKeys.TooDeep.self) { try JSONDuplicateKeys.first(in: nested(1_000_000)) }
    }
}
