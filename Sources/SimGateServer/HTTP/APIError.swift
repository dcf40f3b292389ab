import Foundation
import HTTPTypes
import Hummingbird
import SimGateCore

/// An error as the client sees it: RFC 9457 problem details with SimGate's stable `code` and
/// the offending `param`. Every failure leaves the server as one of these.
struct APIError: HTTPResponseError, Sendable {
    /// The HTTP status of the answer.
    let status: HTTPResponse.Status
    /// The stable machine-readable code, such as `invalid_api_key`.
    let code: String
    /// What went wrong, for a person: the problem's `detail`.
    let message: String
    /// The request parameter or body field at fault, if one is.
    let param: String?
    /// Extra top-level members of the problem document, each a list of strings.
    let details: [String: [String]]
    /// The separate problems of a request that has several, listed under `errors`.
    let issues: [DomainError]
    /// Headers the answer carries besides its content type (`Allow`, `WWW-Authenticate`).
    var headers = HTTPFields()

    /// An error with this status, code and message; the other parts are optional.
    init(status: HTTPResponse.Status, code: String, message: String, param: String? = nil, details: [String: [String]] = [:], issues: [DomainError] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.param = param
        self.details = details
        self.issues = issues
    }

    /// The one place where domain failures get their HTTP status.
    init(_ error: DomainError) {
        let status: HTTPResponse.Status = switch error.kind {
        case .invalid: error.issues.isEmpty ? .badRequest : .unprocessableContent
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        }
        self.init(status: status, code: error.code, message: error.message, param: error.param, details: error.details, issues: error.issues)
    }

    /// The problem document's body.
    var problemJSON: Data {
        var document: [String: Any] = [
            "type": "urn:simgate:error:\(code)",
            "title": status.reasonPhrase,
            "status": status.code,
            "detail": message,
            "code": code,
        ]
        if let param { document["param"] = param }
        for (key, values) in details { document[key] = values }
        if !issues.isEmpty {
            document["errors"] = issues.map { issue -> [String: Any] in
                var entry: [String: Any] = ["code": issue.code, "detail": issue.message]
                if let param = issue.param { entry["param"] = param }
                return entry
            }
        }
        return (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }

    /// The problem document as an `application/problem+json` response, with `headers`.
    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: problemJSON)))
    }
}

extension APIError {
    /// A 400 with `code` and `message`, naming `param` when given.
    static func invalid(_ code: String, _ message: String, param: String? = nil) -> APIError {
        APIError(status: .badRequest, code: code, message: message, param: param)
    }

    /// 401 for a request that sent no API key.
    static let authenticationRequired = APIError(
        status: .unauthorized, code: "authentication_required", message: "Send an API key as 'Authorization: Bearer <key>'."
    )

    /// The opaque 500: nothing about the cause reaches the client.
    static let internalError = APIError(
        status: .internalServerError, code: "internal_error",
        message: "Something went wrong on SimGate's side. It has been logged; try again."
    )
}
