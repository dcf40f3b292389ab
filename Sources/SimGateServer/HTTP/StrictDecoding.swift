import Foundation
import SimGateCore

/// A field in a request body that the route does not know.
struct UnknownFieldError: Error {
    /// The unknown field's path in the body, such as `sims[0].nickname`.
    let path: String
}

/// Any key, for reading which keys an object actually has.
struct AnyCodingKey: CodingKey {
    /// The key's name (the index in decimal, for an array position).
    let stringValue: String
    /// The index, when the key is an array position.
    let intValue: Int?
    /// A key with this name.
    init(stringValue: String) { self.stringValue = stringValue; intValue = nil }
    /// A key for this array position.
    init(intValue: Int) { stringValue = "\(intValue)"; self.intValue = intValue }
}

extension Decoder {
    /// The keyed container for `keys`, after checking that the object has no other keys:
    /// a misspelt field is an error, not silently ignored.
    func strictContainer<Keys: CodingKey & CaseIterable>(keyedBy keys: Keys.Type) throws -> KeyedDecodingContainer<Keys> {
        // Each present key is looked up as a `Keys` (no set of the allowed ones is built per
        // object: a thousand-SIM import decodes a thousand of them), and only when some are
        // unknown are they sorted, to name the same one every time.
        let present = try container(keyedBy: AnyCodingKey.self).allKeys
        let unknownKeys = present.lazy.map(\.stringValue).filter { Keys(stringValue: $0)?.stringValue != $0 }
        if let unknown = unknownKeys.min() {
            throw UnknownFieldError(path: CodingPathText.render(codingPath + [AnyCodingKey(stringValue: unknown)]))
        }
        return try container(keyedBy: keys)
    }
}

extension KeyedDecodingContainer {
    /// Decodes an optional field that, when given, may not be `null`: a `null` is refused as
    /// the wrong type, naming the field, where `decodeIfPresent` would read it as left out (an
    /// update of `{"name": null}` answered 200 and changed nothing).
    func decodeIfGiven<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard contains(key) else { return nil }
        return try decode(type, forKey: key)
    }

    /// Decodes an optional string field and checks it against ``TextLimit``: at most
    /// `maximumLength` characters, no control characters but line breaks where allowed.
    func decodeText(_ key: Key, maximumLength: Int, allowsLineBreaks: Bool = false) throws -> String? {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        if let wrong = TextLimit.violation(in: text, maximumLength: maximumLength, allowsLineBreaks: allowsLineBreaks) {
            let path = CodingPathText.render(codingPath + [key])
            throw APIError.invalid(wrong.code, "'\(path)' \(wrong.problem).", param: path)
        }
        return text
    }

    /// Decodes an optional whole number, naming the field when the JSON number is not one (a
    /// fraction, or more digits than 64 bits hold), rather than failing the whole body.
    func decodeInteger(_ key: Key) throws -> Int64? {
        switch try decodeWholeNumber(key) {
        case nil: return nil
        case .value(let value)?: return value
        case .notWhole?:
            let path = CodingPathText.render(codingPath + [key])
            throw APIError.invalid("invalid_type", "'\(path)' must be a whole number.", param: path)
        case .outOfRange?:
            let path = CodingPathText.render(codingPath + [key])
            throw APIError.invalid("value_out_of_range", "'\(path)' is beyond what a 64-bit whole number holds, above or below.", param: path)
        }
    }

    /// A JSON number read exactly, then judged: whole and within 64 bits, or why not.
    func decodeWholeNumber(_ key: Key) throws -> WholeNumber? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        // Decimal reads any JSON number exactly (38 digits), where Int would fail the body.
        let number: Decimal
        do {
            number = try decode(Decimal.self, forKey: key)
        } catch is DecodingError {
            let path = CodingPathText.render(codingPath + [key])
            // A number Decimal cannot hold is out of range; anything else (a string, a
            // boolean, an array, an object) is of the wrong type, not "too large".
            guard (try? decode(Double.self, forKey: key)) != nil else {
                throw APIError.invalid("invalid_type", "'\(path)' must be a whole number.", param: path)
            }
            return .outOfRange
        }
        var rounded = Decimal()
        var copy = number
        NSDecimalRound(&rounded, &copy, 0, .plain)
        guard rounded == number else { return .notWhole }
        guard number >= Decimal(Int64.min), number <= Decimal(Int64.max) else { return .outOfRange }
        return .value(NSDecimalNumber(decimal: number).int64Value)
    }
}

/// A JSON number as a whole-number field sees it.
enum WholeNumber: Equatable {
    /// It is whole and fits in 64 bits: this value.
    case value(Int64)
    /// It has a fractional part.
    case notWhole
    /// It does not fit in 64 bits.
    case outOfRange
}
