import Foundation

/// JSON text columns (labels, metadata): encoded with sorted keys so equal values store equally.
enum StoredJSON {
    /// `value` as JSON text, keys sorted and slashes unescaped.
    static func encode<T: Encodable>(_ value: T) -> String {
        // Most SIMs have no labels and no metadata: their text needs no encoder.
        if let list = value as? [String], list.isEmpty { return "[]" }
        if let map = value as? [String: String], map.isEmpty { return "{}" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding [String] or [String: String] cannot fail.
        return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }

    /// Reads the JSON text of `column`; text that does not decode is a corrupt row.
    static func decode<T: Decodable>(_ type: T.Type, from text: String, column: String) throws -> T {
        if text == "[]", T.self == [String].self, let empty = [String]() as? T { return empty }
        if text == "{}", T.self == [String: String].self, let empty = [String: String]() as? T { return empty }
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError.corruptRow(table: "?", column: column, value: String(text.prefix(100)))
        }
    }
}
