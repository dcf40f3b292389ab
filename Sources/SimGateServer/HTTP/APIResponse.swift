import Foundation
import HTTPTypes
import Hummingbird

/// A JSON response already encoded, so that the idempotency layer can store and replay the
/// exact bytes.
struct APIResponse: ResponseGenerator, Sendable {
    /// The HTTP status.
    let status: HTTPResponse.Status
    /// The bytes sent as the body.
    let body: Data
    /// The `Content-Type` of `body`.
    let contentType: String
    /// What an idempotent replay answers instead of `body`, when `body` shows a secret once:
    /// the same object without it. Secrets are never stored, not even for replays.
    let replayBody: Data?

    /// `value` in the API's JSON, with `status`.
    init<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws {
        self.status = status
        body = try APIJSON.encode(value)
        contentType = "application/json"
        replayBody = nil
    }

    /// A response that shows a secret once: `value` now, `withoutSecret` on any replay.
    init<T: Encodable, R: Encodable>(_ value: T, withoutSecret: R, status: HTTPResponse.Status = .ok) throws {
        self.status = status
        body = try APIJSON.encode(value)
        contentType = "application/json"
        replayBody = try APIJSON.encode(withoutSecret)
    }

    /// A body already encoded, such as a stored replay or the metrics text.
    init(status: HTTPResponse.Status, body: Data, contentType: String) {
        self.status = status
        self.body = body
        self.contentType = contentType
        replayBody = nil
    }

    /// The Hummingbird response: `body` with its content type.
    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
