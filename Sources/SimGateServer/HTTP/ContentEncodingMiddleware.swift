import Hummingbird

/// Refuses a request body sent with a `Content-Encoding` (gzip, br...): SimGate reads bodies as
/// sent and decodes none. Read as they came, a gzipped body was answered `invalid_json` as if
/// its JSON were broken, and a body labelled `br` but sent plain was taken; 415 says what is
/// wrong (RFC 9110 section 15.5.16).
struct ContentEncodingMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Passes the request on unless its body claims an encoding other than `identity`.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let encoding = request.headers[.contentEncoding], encoding.trimmingCharacters(in: .whitespaces).lowercased() != "identity" {
            throw APIError(
                status: .unsupportedMediaType, code: "unsupported_encoding",
                message: "Content-Encoding '\(encoding.prefix(40))' is not accepted: send the body as it is.", param: nil
            )
        }
        return try await next(request, context)
    }
}
