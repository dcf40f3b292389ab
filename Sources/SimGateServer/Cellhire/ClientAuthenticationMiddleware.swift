import Hummingbird
import SimGateCore

/// Resolves the Bearer token of a Cellhire-compatible request to its OAuth client, or answers
/// 401: a token that is unknown, expired, or whose client was revoked.
struct ClientAuthenticationMiddleware: RouterMiddleware {
    /// Runs on SimGate's own context, which carries the client.
    typealias Context = SimGateRequestContext
    /// Where tokens are checked.
    let clients: APIClientService

    /// Authenticates the request, then passes it on with the client in its context.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            guard let header = request.headers[.authorization] else { throw APIError.authenticationRequired }
            guard !request.headers.repeatsAuthorization else {
                throw APIError(status: .unauthorized, code: "invalid_token", message: HTTPFields.repeatedAuthorizationMessage)
            }
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer",
                  let client = try await clients.authenticate(token: String(parts[1]).trimmingCharacters(in: .whitespaces))
            else {
                throw APIError(status: .unauthorized, code: "invalid_token", message: "The access token is not valid, has expired, or its client was revoked.")
            }
            var context = context
            context.client = client
            context.logger[metadataKey: "api_client"] = "\(client.id)"
            return try await next(request, context)
        } catch var error as APIError where error.status == .unauthorized {
            error.headers[.wwwAuthenticate] = #"Bearer realm="SimGate", error="invalid_token""#
            throw error
        }
    }
}
