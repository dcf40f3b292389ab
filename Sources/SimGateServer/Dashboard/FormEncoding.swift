import Foundation
import Hummingbird

/// Reading and writing `application/x-www-form-urlencoded` text, as browsers send a form's
/// fields: in a posted body, and in the query of a GET form (the SIM list's search box).
enum FormEncoding {
    /// The name-value pairs of `text`, in order. `+` is a space and `%2B` a plus. A pair whose
    /// name or value is not valid percent-encoding is left out, or with `keepingUndecodable`
    /// kept as sent (a page can then say what was wrong with it).
    static func fields(of text: Substring, keepingUndecodable: Bool = false) -> [(name: String, value: String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ part: Substring) -> String? {
                let spaced = part.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? (keepingUndecodable ? spaced : nil)
            }
            guard let name = decoded(parts[0]), let value = decoded(parts.count > 1 ? parts[1] : "") else { return nil }
            return (name, value)
        }
    }

    /// `items` as a query string (without `?`), every character but the unreserved ones
    /// escaped. A `+` left as it is would come back as a space.
    static func query(_ items: [(name: String, value: String)]) -> String {
        items.map { escaped($0.name) + "=" + escaped($0.value) }.joined(separator: "&")
    }

    private static func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    /// RFC 3986's unreserved characters.
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}

extension Request {
    /// Each query parameter's first value, decoded as a browser encodes a GET form's fields
    /// (`+` for a space). A value that is not valid percent-encoding is given as sent, for
    /// the page to refuse.
    var firstQueryValues: [String: String] {
        var values: [String: String] = [:]
        for field in FormEncoding.fields(of: (uri.query ?? "")[...], keepingUndecodable: true) where values[field.name] == nil { values[field.name] = field.value }
        return values
    }
}
