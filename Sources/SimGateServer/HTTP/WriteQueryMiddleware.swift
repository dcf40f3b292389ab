import Hummingbird

/// Refuses a query string on a write (POST, PUT, PATCH): no such route takes one, and its
/// handler never read it, so `POST /v1/tariffs/3/prices?effective_from=2030-01-01T00:00:00Z`
/// set a price from now rather than refusing the misplaced field, as GET and DELETE refuse an
/// unknown parameter. The body is where a write's fields go.
struct WriteQueryMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Passes the request on unless it is a write with query parameters.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if [.post, .put, .patch].contains(request.method) {
            _ = try QueryParameters(request, allowed: [])
        }
        return try await next(request, context)
    }
}
