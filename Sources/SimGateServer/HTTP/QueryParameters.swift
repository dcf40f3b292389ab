import Foundation
import Hummingbird
import SimGateCore
import SimGateStore

/// Strict reading of a route's query string: every route takes exactly the parameters it
/// supports, each at most once unless it is a list, and bad values are a 400 naming the
/// parameter.
///
/// Names are percent-decoded like values, so `created%5Bgte%5D` (what most HTTP libraries
/// send for `created[gte]`) is `created[gte]`.
struct QueryParameters {
    private let values: [(String, String)]

    /// The paging parameters of list routes.
    static let pagingNames: Set<String> = ["limit", "starting_after", "ending_before"]

    /// Reads `request`'s query and refuses any parameter not in `allowed` (plus the paging
    /// parameters when `paged`), and any repeated one that is not in `repeatable`.
    init(_ request: Request, allowed: Set<String>, repeatable: Set<String> = [], paged: Bool = false) throws {
        values = try Self.parse(request.uri.query ?? "")
        let known = paged ? allowed.union(Self.pagingNames) : allowed
        if let unknown = values.map(\.0).first(where: { !known.contains($0) }) {
            throw APIError.invalid("unknown_parameter", "Unknown query parameter '\(unknown)'.", param: unknown)
        }
        var seen: Set<String> = []
        for (name, _) in values where !repeatable.contains(name) {
            guard seen.insert(name).inserted else {
                throw APIError.invalid("parameter_repeated", "'\(name)' may be given once.", param: name)
            }
        }
    }

    /// `name=value` pairs split on `&`, both sides percent-decoded.
    private static func parse(_ query: String) throws -> [(String, String)] {
        try query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts[0].removingPercentEncoding, let value = (parts.count > 1 ? parts[1] : "").removingPercentEncoding else {
                throw APIError.invalid("invalid_query", "The query string has a malformed percent-encoding.")
            }
            return (name, value)
        }
    }

    /// The value given for `name`, if any.
    subscript(name: String) -> String? {
        values.last { $0.0 == name }?.1
    }

    /// Every value given for `name`, with comma-separated lists split.
    func all(_ name: String) -> [String] {
        values.filter { $0.0 == name }.flatMap { $0.1.split(separator: ",").map(String.init) }
    }

    /// `account`, an `acct_` id, if given.
    func account() throws -> AccountID? {
        guard let text = self["account"] else { return nil }
        guard let id = AccountID(parsing: text) else { throw APIError.invalid("invalid_value", "'account' is an acct_ id.", param: "account") }
        return id
    }

    /// `limit`, 1 to `maximum` (100 unless a route pages otherwise), or `fallback`.
    func limit(maximum: Int = PageRequest.maximumLimit, fallback: Int = PageRequest.defaultLimit) throws -> Int {
        guard let text = self["limit"] else { return fallback }
        // Digits only: Int(_:) also takes a sign (`+5`), which no documented form has.
        guard text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }), let value = Int(text),
              (1...maximum).contains(value) else {
            throw APIError.invalid("invalid_limit", "'limit' must be an integer from 1 to \(maximum).", param: "limit")
        }
        return value
    }

    /// The paging request of a list of `Kind` objects: `limit` 1 to 100, and a cursor that
    /// must have the form of an id of that kind. A cursor cut short, cased otherwise or made up
    /// (`sim_x`) was taken as a place in the list, and answered with a page from there.
    func page<Kind: IdentifierKind>(of _: Kind.Type) throws -> PageRequest {
        let limit = try limit()
        if self["starting_after"] != nil, self["ending_before"] != nil {
            throw APIError.invalid("invalid_request", "Give 'starting_after' or 'ending_before', not both.", param: "ending_before")
        }
        for name in ["starting_after", "ending_before"] {
            if let cursor = self[name], TypedID<Kind>(parsing: cursor)?.hasGeneratedForm != true {
                throw APIError.invalid(
                    "invalid_cursor", "'\(name)' must be the id of an object of this list: '\(Kind.prefix)_' and 26 characters.", param: name
                )
            }
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

    /// A time parameter as the whole millisecond a comparison with stored times (whole
    /// milliseconds) needs: rounded `.up` or `.down` when it falls between two. Rounded to
    /// the nearer one, `created[gte]=...38.2804Z` took in an event of 38.280. A time within a
    /// microsecond of a millisecond is that millisecond (a parsed time is a binary fraction).
    func milliseconds(_ name: String, rounding rule: FloatingPointRoundingRule) throws -> Int64? {
        guard let date = try date(name) else { return nil }
        let milliseconds = date.timeIntervalSince1970 * 1000
        guard abs(milliseconds - milliseconds.rounded()) >= 0.001 else { return date.epochMilliseconds }
        return Date(timeIntervalSince1970: milliseconds.rounded(rule) / 1000).epochMilliseconds
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
