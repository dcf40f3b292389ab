import Foundation
import HTTPTypes
import Hummingbird

/// A JSON response already encoded, so that the idempotency layer can store and replay the
/// exact bytes.
struct APIResponse: ResponseGenerator, Sendable {
    let status: HTTPResponse.Status
    let body: Data
    let contentType: String

    init<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws {
        self.status = status
        body = try APIJSON.encode(value)
        contentType = "application/json"
    }

    init(status: HTTPResponse.Status, body: Data, contentType: String) {
        self.status = status
        self.body = body
        self.contentType = contentType
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
