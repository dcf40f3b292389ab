/// Key-value pairs a customer stores on a SIM for its own systems (order numbers, customer ids).
///
/// Up to 50 keys of at most 40 characters, values of at most 500 characters.
public struct SimMetadata: Equatable, Sendable {
    /// Most keys one SIM's metadata may hold.
    public static let maximumKeys = 50
    /// Longest key, in characters (Unicode scalars).
    public static let maximumKeyLength = 40
    /// Longest value, in characters (Unicode scalars); line breaks and tabs allowed.
    public static let maximumValueLength = 500

    /// The pairs, by key.
    public private(set) var values: [String: String]

    /// Empty metadata.
    public init() { values = [:] }

    /// Validates `values`; the error's message names the bad key.
    public init(_ values: [String: String]) throws(ValidationError) {
        guard values.count <= Self.maximumKeys else {
            throw ValidationError(code: "too_many_metadata_keys", message: "Metadata holds at most \(Self.maximumKeys) keys.")
        }
        for (key, value) in values {
            // The problem itself told (the length, or a control character), the key quoted with
            // its unseen characters escaped: a key holding a control character was said to be
            // too long, and echoed it raw.
            guard !key.isEmpty else {
                throw ValidationError(code: "invalid_metadata", message: "Metadata keys have 1 to \(Self.maximumKeyLength) characters; an empty key does not.")
            }
            if let problem = TextLimit.problem(in: key, maximumLength: Self.maximumKeyLength) {
                throw ValidationError(code: "invalid_metadata", message: "The metadata key \(TextLimit.quoted(key, maximumLength: 50)) \(problem).")
            }
            if let problem = TextLimit.problem(in: value, maximumLength: Self.maximumValueLength, allowsLineBreaks: true) {
                throw ValidationError(code: "invalid_metadata", message: "The value of metadata key \(TextLimit.quoted(key, maximumLength: 50)) \(problem).")
            }
        }
        self.values = values
    }

    /// Keeps metadata read back from storage.
    public init(trusted values: [String: String]) { self.values = values }

    /// Merges `changes` in Stripe's way: an empty-string value removes the key.
    public func merging(_ changes: [String: String]) throws(ValidationError) -> SimMetadata {
        var merged = values
        for (key, value) in changes {
            if value.isEmpty { merged.removeValue(forKey: key) } else { merged[key] = value }
        }
        return try SimMetadata(merged)
    }
}
