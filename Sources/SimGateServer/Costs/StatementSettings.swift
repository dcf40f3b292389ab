import Foundation

/// How statements close.
public struct StatementSettings: Sendable, Equatable {
    /// How long after a month ends its statement is frozen, in seconds: until then usage sent
    /// late (CDR files, say) still counts; after, the statement never changes. 72 hours.
    public var freezeAfter: TimeInterval = 72 * 3_600

    /// The defaults.
    public init() {}
}
