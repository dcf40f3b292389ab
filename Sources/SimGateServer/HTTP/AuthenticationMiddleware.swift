import Hummingbird
import SimGateCore
import SimGateStore

/// Resolves `Authorization: Bearer <key>` to a ``Principal`` or answers 401.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = SimGateRequestContext
    let database: SimGateDatabase

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError.authenticationRequired
        }
        let presented = header.hasPrefix("Bearer ") ? String(header.dropFirst("Bearer ".count)) : ""
        guard let principal = try await authenticate(presented) else {
            throw APIError(status: .unauthorized, code: "invalid_api_key", message: "The API key is not valid or has been revoked.")
        }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "api_key"] = "\(principal.keyID)"
        return try await next(request, context)
    }

    private func authenticate(_ presented: String) async throws -> Principal? {
        guard let keyID = APIKeySecret.keyID(in: presented) else { return nil }
        return try await database.read { db -> Principal? in
            guard let (key, hash) = try await APIKeyStore().findWithHash(keyID, on: db),
                  APIKeySecret.matches(presented, storedHash: hash), key.revokedAt == nil,
                  let account = try await AccountStore().find(key.accountID, on: db)
            else { return nil }
            return Principal(keyID: key.id, account: account)
        }
    }
}
