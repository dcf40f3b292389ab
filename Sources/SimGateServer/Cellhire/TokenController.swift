import Foundation
import Hummingbird
import SimGateCore

/// `POST /connect/token`: OAuth 2.0 client credentials grant (RFC 6749 section 4.4), as
/// Cellhire's identity server answers it. The client authenticates with `client_id` and
/// `client_secret` in the form, or with HTTP Basic; errors are RFC 6749 section 5.2 JSON.
struct TokenController: Sendable {
    /// Checks client credentials and issues tokens.
    let clients: APIClientService

    /// Registers the token route at the root (it takes no API key).
    func addRoutes(to router: Router<SimGateRequestContext>) {
        router.post("connect/token", use: token)
    }

    /// Answers a token request.
    @Sendable func token(_ request: Request, context: SimGateRequestContext) async throws -> Response {
        var request = request
        // RFC 6749 section 4.4.2: the request is a form. A JSON body was read as a form and
        // answered "grant_type is required", which sent its writer looking in the wrong place.
        // A body with no Content-Type at all is read as the form it should be.
        let mediaType = request.headers.mediaType
        guard mediaType == nil || mediaType == "application/x-www-form-urlencoded" else {
            return Self.error("invalid_request", "The body must be application/x-www-form-urlencoded.")
        }
        let body = try await request.collectBody(upTo: 8 * 1024)
        let form: [String: String]
        switch Self.form(String(decoding: Data(buffer: body), as: UTF8.self)) {
        case .success(let fields): form = fields
        case .failure(let problem): return Self.error("invalid_request", problem.message)
        }
        guard let grant = form["grant_type"] else { return Self.error("invalid_request", "grant_type is required.") }
        guard grant == "client_credentials" else { return Self.error("unsupported_grant_type", "Only client_credentials is supported.") }
        // The one scope there is; a request for any other is refused rather than granted less
        // than it asked for in silence (RFC 6749 section 5.2, invalid_scope).
        if let scope = form["scope"], let other = scope.split(separator: " ").first(where: { $0 != "simSubmission" }) {
            return Self.error("invalid_scope", "The only scope is simSubmission, not '\(other.prefix(40))'.")
        }
        var clientID = form["client_id"], secret = form["client_secret"]
        // Only a Basic header authenticates a client here; another scheme (a stale Bearer
        // token) is none, as before.
        guard !request.headers.repeatsAuthorization else { return Self.error("invalid_request", HTTPFields.repeatedAuthorizationMessage) }
        let basicHeader = request.headers[.authorization].flatMap { $0.lowercased().hasPrefix("basic") ? $0 : nil }
        let usesBasic = basicHeader != nil
        if let header = basicHeader {
            // Section 2.3: one way of authenticating at a time; a header that cannot be read is
            // a failed authentication, not one to look past to the form.
            guard form["client_secret"] == nil else {
                return Self.error("invalid_request", "Authenticate with HTTP Basic or with client_secret in the form, not both.")
            }
            guard let basic = Self.basicCredentials(header) else {
                return Self.error("invalid_client", "The Authorization header is not HTTP Basic with a client id and secret.", status: .unauthorized)
            }
            (clientID, secret) = (basic.id, basic.secret)
        }
        guard let clientID, let secret, let token = try await clients.issueToken(clientID: clientID, secret: secret) else {
            // Section 5.2: a client that authenticated with the header is answered 401, with a
            // challenge for the scheme it used.
            return Self.error("invalid_client", "The client is unknown, revoked, or its secret does not match.", status: usesBasic ? .unauthorized : .badRequest)
        }
        return Self.json([
            "access_token": .string(token), "expires_in": .integer(Int64(APIClientService.tokenLifetime)),
            "token_type": .string("Bearer"), "scope": .string("simSubmission"),
        ], status: .ok)
    }

    /// Why a token request's form cannot be read.
    struct FormProblem: Error {
        let message: String
    }

    /// The fields of an `application/x-www-form-urlencoded` body; refused when a name is given
    /// more than once (RFC 6749 section 3.2) or a name or value cannot be decoded. An
    /// undecodable value was dropped, so `client_secret=%ZZ&client_secret=...` passed the
    /// check for repeats with the second.
    static func form(_ text: String) -> Result<[String: String], FormProblem> {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ part: Substring) -> String? { part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            guard let name = decoded(parts[0]), let value = parts.count == 2 ? decoded(parts[1]) : "" else {
                return .failure(FormProblem(message: "A field of the form is not valid percent-encoding."))
            }
            guard fields[name] == nil else { return .failure(FormProblem(message: "\(name.prefix(40)) is given more than once.")) }
            fields[name] = value
        }
        return .success(fields)
    }

    /// The client id and secret of an HTTP Basic `Authorization` header (RFC 6749 section 2.3.1).
    static func basicCredentials(_ header: String) -> (id: String, secret: String)? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let decoded = Data(base64Encoded: String(parts[1])).flatMap({ String(data: $0, encoding: .utf8) })
        else { return nil }
        let pair = decoded.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard pair.count == 2 else { return nil }
        return (String(pair[0]).removingPercentEncoding ?? String(pair[0]), String(pair[1]).removingPercentEncoding ?? String(pair[1]))
    }

    private static func error(_ code: String, _ description: String, status: HTTPResponse.Status = .badRequest) -> Response {
        var response = json(["error": .string(code), "error_description": .string(description)], status: status)
        if status == .unauthorized { response.headers[.wwwAuthenticate] = #"Basic realm="SimGate""# }
        return response
    }

    private static func json(_ object: [String: JSONValue], status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json;charset=UTF-8"
        // Token responses must not be cached (RFC 6749 section 5.1).
        headers[.cacheControl] = "no-store"
        let body = (try? APIJSON.encode(JSONValue.object(object))) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
