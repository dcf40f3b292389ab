/// A field in a request body that the route does not know.
struct UnknownFieldError: Error {
    let path: String
}

/// Any key, for reading which keys an object actually has.
struct AnyCodingKey: CodingKey {
    let stringValue: String
    let intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue; intValue = nil }
    init(intValue: Int) { stringValue = "\(intValue)"; self.intValue = intValue }
}

extension Decoder {
    /// The keyed container for `keys`, after checking that the object has no other keys:
    /// a misspelt field is an error, not silently ignored.
    func strictContainer<Keys: CodingKey & CaseIterable>(keyedBy keys: Keys.Type) throws -> KeyedDecodingContainer<Keys> {
        let allowed = Set(Keys.allCases.map(\.stringValue))
        let present = try container(keyedBy: AnyCodingKey.self).allKeys
        if let unknown = present.map(\.stringValue).sorted().first(where: { !allowed.contains($0) }) {
            throw UnknownFieldError(path: CodingPathText.render(codingPath + [AnyCodingKey(stringValue: unknown)]))
        }
        return try container(keyedBy: keys)
    }
}

extension KeyedDecodingContainer {
    /// Decodes an optional string field and checks it is at most `maximumLength` characters.
    func decodeText(_ key: Key, maximumLength: Int) throws -> String? {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        guard text.count <= maximumLength else {
            let path = CodingPathText.render(codingPath + [key])
            throw APIError.invalid("value_too_long", "'\(path)' has at most \(maximumLength) characters.", param: path)
        }
        return text
    }
}
