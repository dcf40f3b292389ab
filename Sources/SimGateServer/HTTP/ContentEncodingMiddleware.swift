import Hummingbird

/// Refuses a request body sent with a `Content-Encoding` (gzip, br...): SimGate reads bodies as
/// sent and decodes none. Read as they came, a gzipped body was answered `invalid_json` as if
/// its JSON were broken, and a body labelled `br` but sent plain was taken; 415 says what is
/// wrong (RFC 9110 section 15.5.16).
struct ContentEncodingMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Passes the request on unless it has a body in an encoding other than `identity`.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let hasBody = request.headers[.contentLength].map { $0 != "0" } ?? (request.headers[.transferEncoding] != nil)
        let encodings = request.headers[values: .contentEncoding].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if hasBody, let other = encodings.first(where: { $0 != "identity" }) {
            var error = APIError(
                status: .unsupportedMediaType, code: "unsupported_encoding",
                message: "Content-Encoding '\(other.prefix(40))' is not accepted: send the body as it is.", param: nil
            )
            // What is accepted instead (RFC 9110 section 15.5.16).
            error.headers[.acceptEncoding] = "identity"
            throw error
        }
        return try await next(request, context)
    }
}
