import Foundation
import HTTPTypes

/// What the routes read alike from a request's headers.
extension HTTPFields {
    /// The `Content-Type`'s media type, in lower case, its parameters (a charset) aside.
    var mediaType: String? {
        self[.contentType]?.split(separator: ";", maxSplits: 1).first?.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// Whether `Authorization` is given more than once: read as one, the two values made one
    /// list, and the request was told its credentials were not valid.
    var repeatsAuthorization: Bool { self[values: .authorization].count > 1 }

    /// What a request with several `Authorization` headers is told.
    static let repeatedAuthorizationMessage = "Send one Authorization header; this request has several."
}
