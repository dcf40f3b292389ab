/// An error the domain reports to whoever asked, with a stable code.
///
/// The HTTP layer maps ``Kind`` to a status in one place; the code and the offending parameter
/// travel unchanged to the client.
public struct DomainError: Error, Equatable, Sendable {
    /// What sort of failure this is; decides the HTTP status.
    public enum Kind: Sendable, Equatable {
        /// The request is malformed or a value is out of range (400 or 422).
        case invalid
        /// The caller is not authenticated (401).
        case unauthenticated
        /// The caller is authenticated but may not do this (403).
        case forbidden
        /// No such object, or it belongs to another account (404).
        case notFound
        /// The object's current state forbids the change (409).
        case conflict
    }

    /// The sort of failure, which decides the HTTP status.
    public let kind: Kind
    /// Stable, machine-readable code, e.g. `sim_has_holds`.
    public let code: String
    /// A sentence for a person.
    public let message: String
    /// The request field at fault, as a path like `sims[3].iccid`, when there is one.
    public let param: String?
    /// Extra lists that help the caller act, e.g. `holds: ["payment"]`.
    public let details: [String: [String]]
    /// One error per offending item when a whole batch is refused (e.g. rows of an import).
    public let issues: [DomainError]

    /// An error of `kind` with its stable `code`, a sentence for a person, and optional context.
    public init(
        _ kind: Kind, code: String, message: String, param: String? = nil,
        details: [String: [String]] = [:], issues: [DomainError] = []
    ) {
        self.kind = kind
        self.code = code
        self.message = message
        self.param = param
        self.details = details
        self.issues = issues
    }
}

extension DomainError {
    /// A retired SIM was asked to change: nothing changes it any more.
    public static let simRetired = DomainError(.conflict, code: "sim_retired", message: "The SIM is retired; it cannot change any more.")

    /// The object does not exist, or the caller's account may not see it.
    public static func notFound(_ objectName: String, param: String? = nil) -> DomainError {
        DomainError(.notFound, code: "resource_missing", message: "No such \(objectName).", param: param)
    }
}
