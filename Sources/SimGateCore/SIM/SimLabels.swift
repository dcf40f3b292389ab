/// Free tags a customer puts on a SIM to find and group it (`fleet-berlin`, `beta`).
///
/// At most 20, each 1 to 64 characters of letters, digits and `-_.:/`, kept sorted and unique.
public struct SimLabels: Equatable, Sendable {
    /// Most labels a SIM may carry.
    public static let maximumCount = 20
    /// Longest label, in characters.
    public static let maximumLength = 64

    /// The labels, sorted and without duplicates.
    public private(set) var values: [String]

    /// No labels.
    public init() { values = [] }

    /// Validates `labels`; duplicates collapse.
    public init(_ labels: [String]) throws(ValidationError) {
        for label in labels { try Self.validate(label) }
        let unique = Array(Set(labels)).sorted()
        guard unique.count <= Self.maximumCount else {
            throw ValidationError(code: "too_many_labels", message: "A SIM carries at most \(Self.maximumCount) labels.")
        }
        values = unique
    }

    /// Keeps labels read back from storage.
    public init(trusted labels: [String]) { values = labels.sorted() }

    /// Checks one label's form.
    public static func validate(_ label: String) throws(ValidationError) {
        let allowed = label.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_.:/".unicodeScalars.contains(scalar))
        }
        guard !label.isEmpty, label.count <= maximumLength, allowed else {
            throw ValidationError(
                code: "invalid_label",
                message: "A label has 1 to \(maximumLength) characters: ASCII letters, digits and - _ . : /"
            )
        }
    }
}
