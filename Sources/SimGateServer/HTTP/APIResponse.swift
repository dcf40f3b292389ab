import Foundation
import HTTPTypes
import Hummingbird

/// A JSON response already encoded, so that the idempotency layer can store and replay the
/// exact bytes.
struct APIResponse: ResponseGenerator, Sendable {
    let status: HTTPResponse.Status
    let body: Data
    let contentType: String
    /// What an idempotent replay answers instead of `body`, when `body` shows a secret once:
    /// the same object without it. Secrets are never stored, not even for replays.
    let replayBody: Data?

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

    init(status: HTTPResponse.Status, body: Data, contentType: String) {
        self.status = status
        self.body = body
        self.contentType = contentType
        replayBody = nil
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
