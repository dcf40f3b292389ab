import Foundation
import Hummingbird

/// A posted HTML form (`application/x-www-form-urlencoded`), read strictly: at most 64 KiB,
/// fields decoded as browsers encode them (`+` for space, percent escapes).
struct FormBody: Sendable {
    /// Largest form accepted, in bytes.
    static let maximumBytes = 64 * 1_024
    private let fields: [(String, String)]

    /// Reads the request's body as a form of at most `maximumBytes`. A body of any other type
    /// reads as no fields, so it carries no form token and is refused: a `text/plain` body,
    /// which any site can have a browser post without asking, was read as a form all the same.
    init(_ request: Request, maximumBytes: Int = FormBody.maximumBytes) async throws {
        let buffer = try await request.body.collect(upTo: maximumBytes)
        guard request.headers.mediaType == "application/x-www-form-urlencoded" else {
            fields = []
            return
        }
        let text = String(buffer: buffer)
        fields = FormEncoding.fields(of: text[...]).map { ($0.name, $0.value) }
    }

    /// The first value given for `name`.
    subscript(name: String) -> String? { fields.first { $0.0 == name }?.1 }

    /// The value given for `name` when it is given exactly once; `nil` when missing or repeated.
    /// The form token is read this way: of two tokens, which one counts is not for the sender
    /// to play with.
    func single(_ name: String) -> String? {
        let values = all(name)
        return values.count == 1 ? values[0] : nil
    }

    /// The first value given for `name`, trimmed; `nil` when missing or blank.
    func text(_ name: String) -> String? {
        guard let value = self[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// Every value given for `name`, in order (checkboxes, multiple selects).
    func all(_ name: String) -> [String] { fields.filter { $0.0 == name }.map(\.1) }
}
