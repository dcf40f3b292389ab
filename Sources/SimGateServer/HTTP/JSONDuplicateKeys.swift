import Foundation

/// Finds the first object key that appears twice in the same JSON object. JSON parsers keep
/// one of the two silently (which one differs between them), so a request that says two
/// things about one field is refused instead of half-read.
///
/// A small scanner that follows strings, objects and arrays only as far as needed to know where
/// each key belongs. It does not judge syntax (the decoder does), but on any bytes at all it
/// moves forward at every step, so malformed input ends the scan rather than looping.
///
/// It recurses once for each object or array a value sits in, so it stops at
/// ``maximumDepth``: a body of 16,000 nested brackets (32 KB) once ran the thread out of stack
/// and took the whole server down.
enum JSONDuplicateKeys {
    /// The most objects and arrays a value may sit in, as Foundation's own JSON parser allows.
    static let maximumDepth = 512

    /// Objects and arrays nest deeper than ``maximumDepth``.
    struct TooDeep: Error {}

    /// A comma with no member or element after it (`{"a": 1,}`), before the first, or twice:
    /// Foundation's parser lets a trailing one pass, and JSON has none.
    struct StrayComma: Error, Equatable {
        /// Where it is, in bytes from the start of the body.
        let offset: Int
    }

    /// The path of the first repeated key (`sims[2].iccid`), or `nil` when there is none.
    /// Throws ``TooDeep`` for a body nested past ``maximumDepth``, which no route accepts, and
    /// ``StrayComma`` for a comma out of place.
    static func first(in bytes: Data) throws -> String? {
        var scanner = Scanner(bytes: Array(bytes))
        let repeated = scanner.value(path: "")
        if scanner.tooDeep { throw TooDeep() }
        if let offset = scanner.strayComma { throw StrayComma(offset: offset) }
        return repeated
    }

    /// The path of the first number no field can read (`a.b[2]`): one that underflows to zero
    /// (`1e-400`), or too small or too large for `Decimal` (about 1e-128 and 3.4e165). The
    /// decoder refuses such a number as invalid JSON with no path, and Foundation's parser
    /// reads an underflow as 0, so only the text tells which one it was. Run only once a body
    /// has failed to decode.
    static func firstUnreadableNumber(in bytes: Data) -> String? {
        var scanner = Scanner(bytes: Array(bytes))
        _ = scanner.value(path: "")
        return scanner.unreadableNumber
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        /// Objects and arrays open around the current position.
        var depth = 0
        /// The scan stopped at ``JSONDuplicateKeys/maximumDepth``.
        var tooDeep = false
        /// Where the first comma out of place is, if any.
        var strayComma: Int?
        /// The path of the first number no field can read, if any.
        var unreadableNumber: String?

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        /// Scans one value; returns the path of a repeated key inside it, if any.
        mutating func value(path: String) -> String? {
            skipSpace()
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard depth < JSONDuplicateKeys.maximumDepth else {
                    // Stops here: every enclosing object and array returns at once.
                    tooDeep = true
                    index = bytes.count
                    return nil
                }
                depth += 1
                defer { depth -= 1 }
                return bytes[index] == UInt8(ascii: "{") ? object(path: path) : array(path: path)
            case UInt8(ascii: "\""): _ = string(); return nil
            default:
                // A number, true, false or null: up to the next delimiter. A stray delimiter
                // (malformed input) is stepped over, so the scan always advances.
                let start = index
                while index < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) {
                    index += 1
                }
                if index == start { index += 1 }
                if unreadableNumber == nil, Self.isUnreadableNumber(bytes[start..<index]) { unreadableNumber = path }
                return nil
            }
        }

        /// Whether `token` is a number that underflows to zero, or whose size `Decimal` cannot
        /// hold. Not numbers (`true`, `null`, malformed text) are not.
        static func isUnreadableNumber(_ token: ArraySlice<UInt8>) -> Bool {
            guard let first = token.first, first == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first),
                  let value = Double(String(decoding: token, as: UTF8.self)) else { return false }
            let magnitude = abs(value)
            if !magnitude.isFinite || magnitude > 1e165 { return true }
            if magnitude != 0 { return magnitude < 1e-120 }
            // Zero: written as one, or a smaller number than a Double holds.
            let mantissa = token.prefix { $0 != UInt8(ascii: "e") && $0 != UInt8(ascii: "E") }
            return mantissa.contains { (UInt8(ascii: "1")...UInt8(ascii: "9")).contains($0) }
        }

        /// Notes a comma out of place at `offset`: one that follows the opening bracket or
        /// another comma, or that the closing bracket follows.
        mutating func comma(outOfPlace: Bool, at offset: Int) {
            if outOfPlace, strayComma == nil { strayComma = offset }
        }

        mutating func object(path: String) -> String? {
            index += 1
            var seen: Set<String> = []
            var lastComma: Int?
            while true {
                skipSpace()
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: "}") { comma(outOfPlace: lastComma != nil, at: lastComma ?? index); index += 1; return nil }
                if bytes[index] == UInt8(ascii: ",") {
                    comma(outOfPlace: lastComma != nil || seen.isEmpty, at: index)
                    lastComma = index
                    index += 1
                    continue
                }
                lastComma = nil
                let key = string()
                let keyPath = path.isEmpty ? key : path + "." + key
                if !seen.insert(key).inserted { return keyPath }
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: ":") { index += 1 }
                if let repeated = value(path: keyPath) { return repeated }
            }
        }

        mutating func array(path: String) -> String? {
            index += 1
            var element = 0
            var lastComma: Int?, empty = true
            while true {
                skipSpace()
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: "]") { comma(outOfPlace: lastComma != nil, at: lastComma ?? index); index += 1; return nil }
                if bytes[index] == UInt8(ascii: ",") {
                    comma(outOfPlace: lastComma != nil || empty, at: index)
                    lastComma = index
                    index += 1
                    element += 1
                    continue
                }
                lastComma = nil
                empty = false
                if let repeated = value(path: "\(path)[\(element)]") { return repeated }
            }
        }

        /// Reads a string starting at its opening quote, escapes resolved.
        mutating func string() -> String {
            let start = index
            index += 1
            var escaped = false
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if escaped { escaped = false; continue }
                if byte == UInt8(ascii: "\\") { escaped = true; continue }
                if byte == UInt8(ascii: "\"") { break }
            }
            let inner = bytes[(start + 1)..<max(start + 1, index - 1)]
            // Most keys have no escapes: their bytes are the key. Only escaped ones are decoded.
            guard inner.contains(UInt8(ascii: "\\")) else { return String(decoding: inner, as: UTF8.self) }
            let literal = Data(bytes[start..<index])
            return (try? JSONDecoder().decode(String.self, from: literal)) ?? String(decoding: literal, as: UTF8.self)
        }
    }
}
