import HTTPTypes
import Hummingbird

/// Headers every dashboard response carries: a strict Content-Security-Policy (only this
/// origin's styles, no scripts but our own files, no framing, forms only to here), no MIME
/// sniffing, no referrer beyond this origin, and no caching of pages that show account data.
struct DashboardSecurityHeaders: RouterMiddleware {
    /// Runs on SimGate's own context.
    typealias Context = SimGateRequestContext

    /// The policy: nothing by default, then exactly what the pages use.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    /// Adds the headers to whatever the page answered, errors included.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "same-origin"
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

extension HTTPField.Name {
    /// `Content-Security-Policy`.
    static let contentSecurityPolicy = Self("Content-Security-Policy")!
    /// `X-Content-Type-Options`.
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    /// `Referrer-Policy`.
    static let referrerPolicy = Self("Referrer-Policy")!
}
