/// A value that does not have the form its field requires.
///
/// It knows what is wrong (`code`, `message`) but not where; the caller that knows the field
/// turns it into a ``DomainError`` with a `param`.
public struct ValidationError: Error, Equatable, Sendable {
    /// Stable, machine-readable code, e.g. `invalid_iccid`.
    public let code: String
    /// A sentence for a person.
    public let message: String

    /// An error with its stable `code` and a sentence; ``at(_:)`` adds the field later.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// The same error placed at `param`.
    public func at(_ param: String) -> DomainError {
        DomainError(.invalid, code: code, message: message, param: param)
    }
}
