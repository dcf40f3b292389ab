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
        let body = try await request.collectBody(upTo: 8 * 1024)
        let (form, repeated) = Self.form(String(decoding: Data(buffer: body), as: UTF8.self))
        // RFC 6749 section 3.2: no parameter may be given more than once.
        if let repeated { return Self.error("invalid_request", "\(repeated) is given more than once.") }
        guard let grant = form["grant_type"] else { return Self.error("invalid_request", "grant_type is required.") }
        guard grant == "client_credentials" else { return Self.error("unsupported_grant_type", "Only client_credentials is supported.") }
        var clientID = form["client_id"], secret = form["client_secret"]
        if let header = request.headers[.authorization], let basic = Self.basicCredentials(header) {
            (clientID, secret) = (basic.id, basic.secret)
        }
        guard let clientID, let secret, let token = try await clients.issueToken(clientID: clientID, secret: secret) else {
            return Self.error("invalid_client", "The client is unknown, revoked, or its secret does not match.")
        }
        return Self.json([
            "access_token": .string(token), "expires_in": .integer(Int64(APIClientService.tokenLifetime)),
            "token_type": .string("Bearer"), "scope": .string("simSubmission"),
        ], status: .ok)
    }

    /// The fields of an `application/x-www-form-urlencoded` body, and the first name given
    /// more than once, if any (the request is then refused).
    static func form(_ text: String) -> (fields: [String: String], repeated: String?) {
        var fields: [String: String] = [:]
        var repeated: String?
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ part: Substring) -> String? { part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            guard let name = decoded(parts[0]) else { continue }
            guard fields[name] == nil else {
                repeated = repeated ?? name
                continue
            }
            fields[name] = parts.count == 2 ? decoded(parts[1]) : ""
        }
        return (fields, repeated)
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

    private static func error(_ code: String, _ description: String) -> Response {
        json(["error": .string(code), "error_description": .string(description)], status: .badRequest)
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
