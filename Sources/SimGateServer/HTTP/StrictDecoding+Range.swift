extension KeyedDecodingContainer {
    /// An optional whole number that must lie in `range`; out of range, a fraction, a string
    /// or a number past 64 bits is an error naming the field.
    func decodeInteger(_ key: Key, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = try decodeInteger(key) else { return nil }
        guard let int = Int(exactly: value), range.contains(int) else {
            let path = CodingPathText.render(codingPath + [key])
            throw APIError.invalid("value_out_of_range", "'\(path)' is \(range.lowerBound) to \(range.upperBound).", param: path)
        }
        return int
    }

    /// A whole number that must be present and lie in `range`.
    func requireInteger(_ key: Key, in range: ClosedRange<Int>) throws -> Int {
        guard let value = try decodeInteger(key, in: range) else {
            let path = CodingPathText.render(codingPath + [key])
            throw APIError.invalid("parameter_missing", "'\(path)' is required.", param: path)
        }
        return value
    }
}
