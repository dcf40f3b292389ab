import Foundation
import Hummingbird
import SimGateCore
import SimGateStore

/// Strict reading of a route's query string: unknown parameters and bad values are a 400
/// naming the parameter.
struct QueryParameters {
    private let values: [(String, String)]

    /// Reads `request`'s query and refuses any parameter not in `allowed`. Paging parameters
    /// (`limit`, `starting_after`, `ending_before`) are always allowed.
    init(_ request: Request, allowed: Set<String>) throws {
        values = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        let known = allowed.union(["limit", "starting_after", "ending_before"])
        if let unknown = values.map(\.0).first(where: { !known.contains($0) }) {
            throw APIError.invalid("unknown_parameter", "Unknown query parameter '\(unknown)'.", param: unknown)
        }
    }

    /// The last value given for `name`, if any.
    subscript(name: String) -> String? {
        values.last { $0.0 == name }?.1
    }

    /// Every value given for `name`, with comma-separated lists split.
    func all(_ name: String) -> [String] {
        values.filter { $0.0 == name }.flatMap { $0.1.split(separator: ",").map(String.init) }
    }

    /// The paging request; `limit` must be 1 to 100.
    func page() throws -> PageRequest {
        var limit = PageRequest.defaultLimit
        if let text = self["limit"] {
            guard let value = Int(text), (1...PageRequest.maximumLimit).contains(value) else {
                throw APIError.invalid("invalid_limit", "'limit' must be an integer from 1 to \(PageRequest.maximumLimit).", param: "limit")
            }
            limit = value
        }
        if self["starting_after"] != nil, self["ending_before"] != nil {
            throw APIError.invalid("invalid_request", "Give 'starting_after' or 'ending_before', not both.", param: "ending_before")
        }
        return PageRequest(limit: limit, startingAfter: self["starting_after"], endingBefore: self["ending_before"])
    }

    /// A typed identifier parameter.
    func identifier<Kind: IdentifierKind>(_ name: String, _: Kind.Type) throws -> TypedID<Kind>? {
        guard let text = self[name] else { return nil }
        guard let id = TypedID<Kind>(parsing: text) else {
            throw APIError.invalid("invalid_id", "'\(name)' must be an id starting with '\(Kind.prefix)_'.", param: name)
        }
        return id
    }

    /// A time parameter, RFC 3339 or Unix seconds.
    func date(_ name: String) throws -> Date? {
        guard let text = self[name] else { return nil }
        guard let date = RFC3339.date(from: text) else {
            throw APIError.invalid("invalid_time", "'\(name)' must be an RFC 3339 time or Unix seconds.", param: name)
        }
        return date
    }

    /// A value that must pass a domain validation.
    func validated<T>(_ name: String, _ make: (String) throws(ValidationError) -> T) throws -> T? {
        guard let text = self[name] else { return nil }
        do {
            return try make(text)
        } catch {
            throw error.at(name)
        }
    }
}
