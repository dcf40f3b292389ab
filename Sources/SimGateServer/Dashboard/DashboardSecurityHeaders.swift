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

    /// Adds the headers to whatever the page answered. An error it throws becomes problem
    /// details in ``ProblemMiddleware``, which adds the same headers to every error: errors
    /// raised before any route runs (no such page, a method the page does not take) never
    /// pass through here.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        Self.apply(to: &response.headers)
        return response
    }

    /// Sets the headers on `headers`.
    static func apply(to headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[.referrerPolicy] = "same-origin"
        headers[.cacheControl] = "no-store"
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
