import Foundation
import SimGateCore

/// The JSON conventions of the API: RFC 3339 UTC times with milliseconds, keys sorted so
/// that equal objects serialise to equal bytes.
enum APIJSON {
    /// `value` as the API's JSON bytes.
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.string(from: date))
        }
        return try encoder.encode(value)
    }

    /// Reads JSON the API wrote (and storage kept), times as RFC 3339 text.
    static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = RFC3339.date(from: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an RFC 3339 time.")
            }
            return date
        }
        return try decoder.decode(type, from: Data(text.utf8))
    }

    /// `value` as the API's JSON text, as event snapshots keep it.
    static func encodeToString<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }

    /// An object's text, the same as the generic version gives, written directly where
    /// ``JSONText`` writes it as the encoder would: events' `previous_attributes` are
    /// written on the database's writer thread, where the encoder was a thirtieth of a SIM
    /// suspension.
    static func encodeToString(_ members: [String: JSONValue]) throws -> String {
        let value = JSONValue.object(members)
        guard JSONText.writesDirectly(value) else { return String(decoding: try encode(members), as: UTF8.self) }
        var text = JSONText(capacity: 64)
        text.value(value)
        return text.text
    }
}

/// RFC 3339 timestamps as the API writes and reads them.
enum RFC3339 {
    /// `2026-11-22T10:00:00.123Z`, from the instant's whole milliseconds, so that a time
    /// written, stored and read back is the same text (formatting the floating-point seconds
    /// directly would truncate .123 to .122 about half the time).
    static func string(from date: Date) -> String {
        UTCTimeText.rfc3339(epochMilliseconds: date.epochMilliseconds)
    }

    /// Reads `2026-11-22T10:00:00Z`, with or without fractional seconds or with an offset;
    /// also accepts whole Unix seconds, as Stripe's `created[gte]` does (digits, after a minus
    /// sign for times before 1970; `+1000` is neither form).
    static func date(from text: String) -> Date? {
        if text.first != "+", let seconds = Int64(text) {
            // Years 1 to 9999, as RFC 3339 text can write them: a larger number of seconds is
            // no time, and would not fit SimGate's milliseconds.
            guard (-62_135_596_800...253_402_300_799).contains(seconds) else { return nil }
            return Date(timeIntervalSince1970: TimeInterval(seconds))
        }
        return RFC3339Time.date(from: text)
    }
}
