import Foundation
import HTTPTypes
import Hummingbird
import SimGateCore
import SimGateStore

/// Resolves the caller's API key to a ``Principal`` or answers 401 with a Bearer challenge.
///
/// The key comes as `Authorization: Bearer <key>` (the scheme in any case), or as the user
/// name of Basic authentication with an empty password (`curl -u sgk_...:`, as Stripe takes
/// it). A `read_only` key may only read: anything but GET and HEAD is 403.
struct AuthenticationMiddleware: RouterMiddleware {
    /// Runs on SimGate's own context, which carries the principal.
    typealias Context = SimGateRequestContext
    /// Where keys and their accounts are looked up.
    let store: Store
    /// Keys recently read, with their accounts.
    let recent: PrincipalCache

    /// Authenticates the request, then passes it on with the principal in its context.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            guard let header = request.headers[.authorization] else { throw APIError.authenticationRequired }
            guard !request.headers.repeatsAuthorization else {
                throw APIError(status: .unauthorized, code: "invalid_api_key", message: HTTPFields.repeatedAuthorizationMessage)
            }
            guard let presented = Self.presentedKey(header), let principal = try await authenticate(presented) else {
                throw APIError(status: .unauthorized, code: "invalid_api_key", message: "The API key is not valid or has been revoked.")
            }
            if principal.scope == .readOnly, request.method != .get, request.method != .head {
                throw APIError(status: .forbidden, code: "read_only_key", message: "This key is read-only; it cannot change anything.")
            }
            var context = context
            context.principal = principal
            context.logger[metadataKey: "api_key"] = "\(principal.keyID)"
            return try await next(request, context)
        } catch var error as APIError where error.status == .unauthorized {
            error.headers[.wwwAuthenticate] = #"Bearer realm="SimGate""#
            throw error
        }
    }

    /// The key in a Bearer or Basic `Authorization` header, if there is one.
    static func presentedKey(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2 else { return nil }
        // Blanks and tabs around the credentials (HTTP's optional whitespace) are dropped.
        var trimmed = parts[1]
        while trimmed.first == " " || trimmed.first == "\t" { trimmed = trimmed.dropFirst() }
        while trimmed.last == " " || trimmed.last == "\t" { trimmed = trimmed.dropLast() }
        let credentials = String(trimmed)
        switch parts[0].lowercased() {
        case "bearer":
            return credentials
        case "basic":
            guard let decoded = Data(base64Encoded: credentials).flatMap({ String(data: $0, encoding: .utf8) }) else { return nil }
            return decoded.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
        default:
            return nil
        }
    }

    private func authenticate(_ presented: String) async throws -> Principal? {
        guard let keyID = APIKeySecret.keyID(in: presented) else { return nil }
        let presentedHash = APIKeySecret.hash(presented)
        if let principal = recent.value(presentedHash) { return principal }
        let generation = recent.generation
        let principal = try await store.read { tx -> Principal? in
            guard let (key, hash) = try await tx.apiKeys.findWithHash(keyID),
                  ConstantTime.equals(Array(presentedHash.utf8), Array(hash.utf8)), key.revokedAt == nil,
                  let account = try await tx.accounts.find(key.accountID)
            else { return nil }
            return Principal(keyID: key.id, account: account, scope: key.scope)
        }
        if let principal { recent.keep(principal, for: presentedHash, readAt: generation) }
        return principal
    }
}
