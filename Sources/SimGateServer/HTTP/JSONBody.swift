import Foundation
import Hummingbird
import NIOCore
import SimGateCore

/// Reads request bodies strictly: malformed JSON, wrong types, missing fields and unknown
/// fields each become a 400 naming the field, before any work is done.
enum JSONBody {
    /// Largest JSON body accepted, in bytes: a 1,000-SIM import is about 200 KB.
    static let maximumBytes = 4 * 1024 * 1024

    /// Collects and decodes the body as `T`. An empty body decodes as `{}`.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        var request = request
        let buffer = try await request.collectBody(upTo: maximumBytes)
        let bytes = buffer.readableBytes == 0 ? Data("{}".utf8) : Data(buffer: buffer)
        return try decode(type, from: bytes)
    }

    /// Decodes `bytes` as `T`; a repeated key or a decoding failure becomes a 400 naming the field.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: Data) throws -> T {
        let repeated: String?
        do {
            repeated = try JSONDuplicateKeys.first(in: bytes)
        } catch let stray as JSONDuplicateKeys.StrayComma {
            throw APIError.invalid("invalid_json", "The body is not valid JSON: a comma out of place at byte \(stray.offset).")
        } catch {
            throw APIError.invalid("invalid_json", "The body nests objects and arrays more than \(JSONDuplicateKeys.maximumDepth) deep.")
        }
        if let repeated {
            throw APIError.invalid("duplicate_key", "'\(repeated)' is given twice in the same object.", param: repeated)
        }
        do {
            return try JSONDecoder().decode(type, from: bytes)
        } catch let error as UnknownFieldError {
            throw APIError.invalid("unknown_parameter", "Unknown field '\(error.path)'.", param: error.path)
        } catch let error as DomainError {
            throw error
        } catch let error as DecodingError {
            throw apiError(for: error, body: bytes)
        }
    }

    private static func apiError(for error: DecodingError, body: Data) -> APIError {
        switch error {
        case .typeMismatch(let expected, let context):
            let path = CodingPathText.render(context.codingPath)
            if path.isEmpty { return .invalid("invalid_body", "The body must be a JSON object.") }
            return .invalid("invalid_type", "'\(path)' must be \(describe(expected)).", param: path)
        case .valueNotFound(let expected, let context):
            let path = CodingPathText.render(context.codingPath)
            // A body of `null` read as one field came out as "'' must be an array, not null".
            if path.isEmpty { return .invalid("invalid_body", "The body must be a JSON object.") }
            return .invalid("invalid_type", "'\(path)' must be \(describe(expected)), not null.", param: path)
        case .keyNotFound(let key, let context):
            let path = CodingPathText.render(context.codingPath + [key])
            return .invalid("parameter_missing", "'\(path)' is required.", param: path)
        case .dataCorrupted(let context):
            let path = CodingPathText.render(context.codingPath)
            if path.isEmpty {
                // The decoder says "not valid JSON" also for a number that does not fit its
                // field; only on this failure path is the JSON itself checked to tell them apart.
                guard let parsed = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) else {
                    return .invalid("invalid_json", "The body is not valid JSON.")
                }
                if let path = oversizedNumberPath(in: parsed, path: "") {
                    return .invalid("value_out_of_range", "'\(path)' is beyond what a 64-bit whole number holds, above or below.", param: path)
                }
                // An underflow (`1e-400`) parses as 0 above; only the text tells which it was.
                if let path = JSONDuplicateKeys.firstUnreadableNumber(in: body), !path.isEmpty {
                    return .invalid("value_out_of_range", "'\(path)' is a number too small for any field to read; send 0 or a value in its range.", param: path)
                }
                return .invalid("invalid_value", "A value in the body does not fit its field.")
            }
            return .invalid("invalid_value", "'\(path)' has an invalid value.", param: path)
        @unknown default:
            return .invalid("invalid_body", "The body could not be read.")
        }
    }

    /// The path (`a.b[2]`) of the first number in `value` too large for any field to read
    /// (past what `Decimal` holds, about 3.4e165), which the decoder reports with no path.
    static func oversizedNumberPath(in value: Any, path: String) -> String? {
        switch value {
        case let object as [String: Any]:
            for (key, field) in object.sorted(by: { $0.key < $1.key }) {
                if let found = oversizedNumberPath(in: field, path: path.isEmpty ? key : "\(path).\(key)") { return found }
            }
        case let array as [Any]:
            for (index, element) in array.enumerated() {
                if let found = oversizedNumberPath(in: element, path: "\(path)[\(index)]") { return found }
            }
        case let number as NSNumber:
            let magnitude = abs(number.doubleValue)
            if !magnitude.isFinite || magnitude > 1e165 { return path.isEmpty ? nil : path }
        default:
            break
        }
        return nil
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type: "an integer"
        case is [Any].Type: "an array"
        default: type is any Sequence.Type ? "an array" : "an object"
        }
    }
}

/// Renders a coding path as `sims[3].iccid`.
enum CodingPathText {
    /// `path` as text: names joined by dots, array indexes in brackets.
    static func render(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }
}
